"""Reads of the reports, through the reader's scope: ``figures`` (the progress figures per division
level, the daily payments and channel mix, the employee scheme's declaration progress) and
``records`` (the reports' own records: the counties' weekly submissions and the stored weekly
reports)."""

from .figures import (
    BELOW,
    LEVEL_LABELS,
    LEVELS,
    Declarations,
    Progress,
    ProgressRow,
    channel_mix,
    daily,
    declarations,
    default_view,
    progress,
    ratio,
    regions_for,
)
from .records import counties_for, stored_report, stored_reports, submissions_for

__all__ = ["BELOW", "LEVEL_LABELS", "LEVELS", "Declarations", "Progress", "ProgressRow", "channel_mix", "daily",
           "declarations", "default_view", "progress", "ratio", "regions_for", "counties_for", "stored_report",
           "stored_reports", "submissions_for"]
