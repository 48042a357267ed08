"""Printed forms of a unit's contribution-base declaration (缴费基数申报), as PDF and xlsx.

One class per form, registered in ``registry`` (their modules are imported here):

- 医疗保险年报明细表 (``detail.DetailForm``)
- 医疗保险年报汇总表 with the 诚信申报承诺书 (``summary.SummaryForm``)
- 参保单位缴费基数申报表 (``base_report.BaseReportForm``, 聊城 附件2)
- 参保单位医疗保险缴费基数申报承诺书 (``commitment.CommitmentLetter``, 聊城 附件1)

Adding a form is adding a ``PrintedForm`` subclass with ``@register`` and its template under
``employer/templates/employer/forms/``, and importing its module below. Exporting a form (the
checks, the audit entry, the background job for a long one) is ``export.export_form``.
"""

from . import base_report, commitment, detail, summary  # noqa: F401  (registers the forms)
from .base import FormData, FormUnit, PrintedForm
from .registry import all_forms, available_forms, form_choices, get_form, register

__all__ = ["FormData", "FormUnit", "PrintedForm", "all_forms", "available_forms", "form_choices", "get_form",
           "register"]
