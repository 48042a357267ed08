"""Writes of the audit cases: ``checks`` opens cases from a region's figures (the
self-inspection list, the risk checks); ``cases`` carries one case from opening to findings."""

from .cases import (
    assign,
    conclude,
    correct_base,
    flag_false_materials,
    record_complaint,
    respond,
    start_investigation,
)
from .checks import (
    CheckReport,
    CheckResult,
    open_self_inspections,
    reachable_region,
    run_risk_checks,
    run_scheduled_checks,
    scheduled_regions,
)

__all__ = ["CheckReport", "CheckResult", "assign", "conclude", "correct_base", "flag_false_materials",
           "open_self_inspections", "reachable_region", "record_complaint", "respond", "run_risk_checks",
           "run_scheduled_checks", "scheduled_regions",
           "start_investigation"]
