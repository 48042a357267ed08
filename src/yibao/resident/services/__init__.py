"""Writes of the resident scheme, one module per subdomain, re-exported here."""

from .persons import apply_values, record_life_status
from .registration import RegistrationInput, register, resolve, resubmit, review, send_back

__all__ = ["RegistrationInput", "apply_values", "record_life_status", "register", "resolve", "resubmit", "review", "send_back"]

# change requests (参保信息变更)
from .changes import DocumentIn, file_change, review_change  # noqa: E402

__all__ += ["DocumentIn", "file_change", "review_change"]

# bulk imports and batch review
from .imports import ImportOutcome, ReviewOutcome, import_regions, review_batch, start_import, start_review  # noqa: E402

__all__ += ["ImportOutcome", "ReviewOutcome", "import_regions", "review_batch", "start_import", "start_review"]
