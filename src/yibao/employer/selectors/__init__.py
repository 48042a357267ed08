"""Reads of the employee scheme, always through the reader's scope (``access.scoping``), one
module per subdomain; the names are re-exported here, so callers write ``selectors.review_queue``."""

from .approved_bases import approved_bases_for, average_wages
from .declarations import (
    ProgressBar,
    QueueFilter,
    declaration_for,
    declaration_progress,
    declaration_tally,
    declarations_by_agency,
    declarations_for,
    lines_of,
    material_for,
    materials_of,
    review_queue,
    status_counts,
)
from .figures import (
    base_in_force,
    confirmed_totals,
    declared_wages,
    employee_in_unit,
    floor_shares,
    summary_mismatches,
    units_by_id,
)
from .flexible import flexible_worker_for
from .insured import insured_in_year, insured_in_year_many, insured_numbers
from .units import (
    declaration_timeline,
    pooling_regions_for,
    search_units,
    status_history,
    unit_change_for,
    unit_changes_for,
    unit_for,
    unit_of,
    unit_places,
    units_for,
)

__all__ = [
    "ProgressBar", "QueueFilter", "approved_bases_for", "average_wages", "declaration_for", "declaration_progress",
    "declaration_tally", "declarations_by_agency", "declarations_for", "base_in_force", "confirmed_totals", "declared_wages", "employee_in_unit",
    "floor_shares", "summary_mismatches", "units_by_id", "flexible_worker_for", "insured_in_year", "insured_in_year_many",
    "insured_numbers",
    "lines_of", "material_for", "materials_of", "declaration_timeline", "search_units", "unit_places", "status_history",
    "unit_change_for", "unit_changes_for", "unit_for",
    "pooling_regions_for", "review_queue", "status_counts", "unit_of", "units_for",
]
