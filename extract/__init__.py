"""extract: study design, sample size, interventions, endpoints and p-values from biomedical abstracts."""
__version__ = "0.1.0"
