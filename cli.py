"""Run the `extract` command line from a source checkout: `python cli.py run corpus/ --out results.jsonl`."""
from extract.cli import main

if __name__ == "__main__":
    main()
