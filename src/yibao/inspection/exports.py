"""The auditor's list as an xlsx workbook (XlsxWriter through ``yibao.documents.xlsx``): a sheet of
counts by region and status, and a sheet of the cases."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils import timezone

from yibao import clock
from yibao.audit.services import record_event
from yibao.documents.xlsx import write_table

from . import selectors
from .models import CaseStatus

HEADER = ["案件编号", "统筹区", "年度", "案件类型", "单位编号", "单位名称", "立案事由", "状态", "承办人", "立案时间",
          "单位自查结果", "稽核结论", "办结时间"]
MAX_ROWS = 200_000


def _time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""



def cases_workbook(user, f: selectors.CaseFilter) -> tuple[bytes, str]:
    qs = f.apply(selectors.cases_for(user), user).order_by("region_id", "status", "id")
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("按状态统计")
    c = selectors.counts(user, qs)
    statuses = CaseStatus.values
    write_table(sheet, ["统筹区", *[CaseStatus(s).label for s in statuses], "合计"],
                [[name, *[row[s] for s in statuses], total] for name, _key, row, total in c["rows"]]
                + [["合计", *[c["totals"][s] for s in statuses], c["total"]]], header_format=bold)
    sheet.set_column(0, 0, 14)
    sheet = book.add_worksheet("稽核案件")
    rows = ([x.pk, x.region.name, x.year, x.get_kind_display(), x.unit.unit_number, x.unit.name, x.summary,
             x.get_status_display(), x.owner.username if x.owner_id else "",
             _time(x.opened_at), x.unit_response, x.findings,
             _time(x.concluded_at)]
            for x in qs[:MAX_ROWS].iterator(chunk_size=2000))
    n = write_table(sheet, HEADER, rows, header_format=bold)
    sheet.set_column(0, 0, 9)
    sheet.set_column(5, 6, 40)
    sheet.set_column(10, 11, 40)
    book.close()
    record_event(user, "inspection.cases.export", "inspection_case", "",
                 after={"filters": f.query(), "rows": n}, division_path=getattr(user.division, "path", "") or "")
    return out.getvalue(), f"稽核案件-{clock.today().isoformat()}.xlsx"
