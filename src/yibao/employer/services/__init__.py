"""Writes of the employee scheme, one module per subdomain:

- ``declaration``: opening, filling, checks, submission, review, confirmation, re-declaration;
- ``imports``: a filled declaration file, at once or as a background job;
- ``materials``: the signed and stamped scans;
- ``approved_bases``: 核定入库 spans and a newly published average wage that re-clamps them;
- ``flexible``: flexible workers' chosen bases;
- ``operators``: the account a unit signs in with, opened by an agency clerk (开户);
- ``units``: unit registration (单位参保登记), changes reviewed by a second clerk, suspension and
  closure, and the online-service notice a unit confirms before declaring.

Each public function is one business action in one transaction, asks the engine for every number
and date, and is audited. The names are re-exported here, so callers write ``services.submit``.
"""

from ..errors import AppError, DeclarationError, ImportRejected, RowError, RuleRefused, UnitError
from .approved_bases import (
    AverageWageRecorded,
    correct_base,
    publish_average_wage,
    record_average_wage,
    store_bases,
)
from .declaration import (
    apply_amounts,
    confirm,
    open_declaration,
    refresh_totals,
    reopen_for_adjustment,
    review,
    run_checks,
    set_amount,
    submit,
)
from .flexible import choose_flexible_base
from .imports import BACKGROUND_BYTES, ImportOutcome, import_file, run_import, start_import, template_file
from .materials import (
    MAX_MATERIAL_BYTES,
    current_materials,
    missing_materials,
    required_materials,
    sniff_type,
    upload_material,
)
from .operators import OpenedAccount, create_unit_operator, open_account
from .units import (
    CHANGEABLE,
    NATURES,
    confirm_notice,
    file_change,
    next_unit_number,
    notice_status,
    register_unit,
    review_change,
    set_status,
)

__all__ = [
    "CHANGEABLE", "NATURES", "OpenedAccount", "confirm_notice", "file_change", "next_unit_number", "notice_status",
    "open_account", "register_unit", "review_change", "set_status",
    "AppError", "UnitError", "BACKGROUND_BYTES", "MAX_MATERIAL_BYTES", "AverageWageRecorded", "DeclarationError", "ImportOutcome",
    "ImportRejected", "RowError", "RuleRefused", "apply_amounts", "choose_flexible_base", "confirm", "correct_base",
    "create_unit_operator", "current_materials", "import_file", "missing_materials", "open_declaration", "publish_average_wage",
    "record_average_wage", "record_form_export", "refresh_totals", "reopen_for_adjustment", "required_materials", "review",
    "run_checks", "run_import", "set_amount", "sniff_type", "start_import", "store_bases", "submit", "template_file",
    "upload_material",
]


def record_form_export(declaration, form: str, ext: str, *, actor) -> None:
    """Printed forms carry whole identity numbers, so every export is audited."""
    from yibao.audit.services import record_event

    record_event(actor, "declaration.form.export", "declaration", declaration.pk,
                 after={"form": form, "format": ext}, division_path=declaration.unit.division.path)
