"""Writes of the resident scheme, one module per subdomain, re-exported here."""

from .changes import DocumentIn, file_change, review_change
from .imports import ImportOutcome, ReviewOutcome, import_regions, review_batch, start_import, start_review
from .persons import apply_values, record_life_status
from .registration import RegistrationInput, register, resolve, resubmit, review, send_back

__all__ = [
    # registration, review and the problem queue
    "RegistrationInput", "register", "resolve", "resubmit", "review", "send_back",
    # a person's record and its history
    "apply_values", "record_life_status",
    # change requests (参保信息变更)
    "DocumentIn", "file_change", "review_change",
    # bulk imports and batch review
    "ImportOutcome", "ReviewOutcome", "import_regions", "review_batch", "start_import", "start_review",
]
