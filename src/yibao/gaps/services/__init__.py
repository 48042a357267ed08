"""Writes of the gaps app: the registry comparison and a clerk's review of what it found."""

from .extracts import ImportOutcome, import_extract, import_regions, pooling_region, run_import, start_import
from .review import clear_flag, resolve

__all__ = ["ImportOutcome", "clear_flag", "import_extract", "import_regions", "pooling_region", "resolve",
           "run_import", "start_import"]
