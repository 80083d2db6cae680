"""spaCy components, one job each; importing this package registers their factories."""
from . import extensions  # noqa: F401  (Doc._ attributes the components fill)
from . import sentences, design, sample_size, p_values, interventions, endpoints  # noqa: F401
from . import abbreviations, entities, conditions  # noqa: F401

# The field components, in pipeline order.
FIELD_COMPONENTS = (
    "extract_design",
    "extract_p_values",
    "extract_sample_size",
    "extract_interventions",
    "extract_endpoints",
    "extract_conditions",
)
