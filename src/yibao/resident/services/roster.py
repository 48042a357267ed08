"""续保人员名册 (东明 东政办字〔2023〕26号 三(一)): 由税务部门认真核准续保人群，制作续保人员名册，交村居
（社区）经办人员张贴公示.

A tax clerk builds a village's roster for the coming insurance year from this year's insured: the
people whose enrolment of the year before is paid in that village, who are alive (在册) and still
registered there. Building again before confirmation rebuilds it from the records as they are
then; the clerk reviews and confirms it, and from then on it is fixed. The village agent of that
village posts it (张贴公示). Every step is audited; each actor works only in their own area.

The printed roster (PDF for posting, xlsx) masks identity numbers and phones whatever the reader
(``printing.roster``); a PDF of a large village is rendered by the worker with a progress bar."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from yibao.access.roles import Role
from yibao.access.scoping import scope_of
from yibao.audit.services import record_event
from yibao.jobs import services as jobs
from yibao.jobs.models import Job
from yibao.regions.models import Division, Level

from ..errors import RosterError
from ..models import Enrolment, EnrolmentStatus, LifeStatus, Roster, RosterEntry, RosterStatus

#: A roster PDF of more people than this is rendered by the worker when the caller can show a job
#: (the layout takes about a second per 400 people; see bench/roster_bench.py).
PDF_INLINE_PEOPLE = 800
FORMATS = ("pdf", "xlsx")
JOB_KIND = "resident.roster.pdf"


def region_of(village: Division) -> str:
    """The pooling region a village belongs to (the nearest pooling region on its path)."""
    keys = [k for k in village.path.split("/") if k]
    found = dict(Division.objects.filter(key__in=keys, is_pooling_region=True).values_list("key", "path"))
    if not found:
        raise RosterError(f"“{village.name}”不属于任何统筹区。", code="roster_no_region")
    return max(found, key=lambda k: len(found[k]))


def _within(actor, division: Division, doing: str) -> None:
    scope = scope_of(actor)
    if scope.sees_everything:
        return
    if not scope.division_path or not division.path.startswith(scope.division_path):
        raise RosterError(f"“{division.name}”不在您负责的区域内，不能{doing}其续保人员名册。", code="outside_area",
                          fields={"village": "不在负责区域内"})


def village(code: str) -> Division:
    """A village or community (12-digit code) of a pooling region."""
    code = (code or "").strip()
    found = Division.objects.filter(key=code).first() if code else None
    if found is None:
        raise RosterError(f"村（社区）区划代码“{code}”不存在。", code="division_unknown", fields={"village": "不存在"})
    if found.level != Level.VILLAGE:
        raise RosterError(f"“{found.name}”（{code}）不是村（社区）：续保人员名册按村（社区）制作。", code="division_level",
                          fields={"village": "应为 12 位村级代码"})
    return found


def renewing(village: Division, year: int):
    """Who renews for ``year``: paid for ``year - 1`` in the village, alive and still registered
    there; in household order."""
    return (Enrolment.objects.filter(division=village, insurance_year=year - 1, status=EnrolmentStatus.PAID,
                                     person__division=village, person__life_status=LifeStatus.ACTIVE)
            .order_by("person__household_number", "person__birth_date", "person_id")
            .values_list("person_id", flat=True))


def _label(actor) -> str:
    return getattr(actor, "display_name", "") or getattr(actor, "username", "")


@transaction.atomic
def build(village: Division, year: int, *, actor) -> Roster:
    """Build (or, before confirmation, rebuild) the village's roster for ``year``."""
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise RosterError(f"续保年度“{year}”无效。", code="year_invalid", fields={"year": "无效"})
    _within(actor, village, "制作")
    region = region_of(village)
    roster = Roster.objects.select_for_update().filter(region_id=region, division=village, insurance_year=year).first()
    before = roster.people if roster is not None else None
    if roster is None:
        try:
            with transaction.atomic():
                roster = Roster.objects.create(region_id=region, division=village, insurance_year=year,
                                               built_by_id=actor.pk)
        except IntegrityError:  # built at the same moment by another clerk: rebuild that one
            roster = Roster.objects.select_for_update().get(region_id=region, division=village, insurance_year=year)
    if roster.status != RosterStatus.BUILT:
        raise RosterError(f"{village.name} {year} 年度续保人员名册已{roster.get_status_display()}，不能重新生成。",
                          code="roster_fixed")
    roster.entries.all().delete()
    people = list(renewing(village, year))
    RosterEntry.objects.bulk_create([RosterEntry(roster=roster, person_id=pk, ordinal=i)
                                     for i, pk in enumerate(people, start=1)], batch_size=2000)
    roster.people = len(people)
    roster.built_by_id = actor.pk
    roster.built_at = timezone.now()
    roster.save()
    record_event(actor, "resident.roster.build", "roster", roster.pk,
                 before={"people": before} if before is not None else None,
                 after={"village": village.key, "insurance_year": year, "people": roster.people,
                        "from_year": year - 1, "built_by": _label(actor)},
                 division_path=village.path)
    return roster


def _locked(roster: Roster) -> Roster:
    return Roster.objects.select_for_update().select_related("division").get(pk=roster.pk)


@transaction.atomic
def confirm(roster: Roster, *, actor) -> Roster:
    """税务部门核准: the tax clerk has reviewed the roster; from now on it is fixed."""
    roster = _locked(roster)
    _within(actor, roster.division, "核准")
    if roster.status != RosterStatus.BUILT:
        raise RosterError(f"此名册已{roster.get_status_display()}，不能再次核准。", code="roster_not_built")
    roster.status = RosterStatus.CONFIRMED
    roster.confirmed_by_id, roster.confirmed_at = actor.pk, timezone.now()
    roster.save()
    record_event(actor, "resident.roster.confirm", "roster", roster.pk, before={"status": RosterStatus.BUILT},
                 after={"status": roster.status, "people": roster.people, "confirmed_by": _label(actor)},
                 division_path=roster.division.path)
    return roster


@transaction.atomic
def post(roster: Roster, *, actor) -> Roster:
    """张贴公示: the village agent of the roster's village has posted the confirmed roster."""
    roster = _locked(roster)
    if actor.role != Role.ADMIN and actor.division_id != roster.division_id:
        raise RosterError(f"只能张贴本村（社区）的续保人员名册：此名册属于“{roster.division.name}”。", code="outside_area",
                          fields={"roster": "不是本村（社区）的名册"})
    if roster.status == RosterStatus.BUILT:
        raise RosterError("此名册尚未经税务部门核准，不能张贴公示。", code="roster_not_confirmed")
    if roster.status == RosterStatus.POSTED:
        raise RosterError("此名册已张贴公示。", code="roster_posted")
    roster.status = RosterStatus.POSTED
    roster.posted_by_id, roster.posted_at = actor.pk, timezone.now()
    roster.save()
    record_event(actor, "resident.roster.post", "roster", roster.pk, before={"status": RosterStatus.CONFIRMED},
                 after={"status": roster.status, "posted_by": _label(actor)}, division_path=roster.division.path)
    return roster


# --- the printed roster ----------------------------------------------------------------------------

@dataclass(frozen=True)
class RosterFile:
    content: bytes
    filename: str
    content_type: str


@dataclass(frozen=True)
class RosterExport:
    """Either the file, or the background job that will produce it."""

    file: RosterFile | None = None
    job: Job | None = None


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise RosterError(f"不支持的格式“{fmt}”：应为 pdf 或 xlsx。", code="format_invalid", fields={"format": "无效"})
    return fmt


def _record_export(roster: Roster, fmt: str, actor) -> None:
    record_event(actor, "resident.roster.export", "roster", roster.pk,
                 after={"format": fmt, "people": roster.people, "masked": True}, division_path=roster.division.path)


def renders_in_background(roster: Roster, fmt: str) -> bool:
    return fmt == "pdf" and roster.people > PDF_INLINE_PEOPLE


def export(roster: Roster, fmt: str, *, actor, allow_job: bool = False) -> RosterExport:
    """The roster as ``fmt`` (pdf or xlsx), identity numbers and phones masked whatever the
    reader. With ``allow_job`` a PDF of a large village is handed to the worker (the result
    carries the job, whose page shows the progress and downloads the file)."""
    from ..printing import roster as printed

    _format(fmt)
    if allow_job and renders_in_background(roster, fmt):
        job = jobs.enqueue(actor, JOB_KIND, f"生成{roster.division.name}续保人员名册（{roster.people} 人）",
                           {"roster": roster.pk, "format": fmt})
        return RosterExport(job=job)
    data = printed.data(roster)
    content = printed.render(data, fmt)
    _record_export(roster, fmt, actor)
    return RosterExport(file=RosterFile(content, printed.filename(data, fmt), printed.CONTENT_TYPES[fmt]))


def render_file(roster: Roster, fmt: str, *, actor, name: str, start=None, progress=None) -> tuple[Path, RosterFile]:
    """The worker's part of a background export: progress by laid-out page, the file written
    beside the job as ``name``, the export audited once the file exists."""
    from ..printing import roster as printed

    _format(fmt)
    data = printed.data(roster)
    total = printed.estimated_pages(data)
    if start:
        start(total)
    content = printed.render(data, fmt, progress=(lambda page: progress(min(page, total))) if progress else None)
    folder = Path(settings.VAR_DIR) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.{fmt}"
    path.write_bytes(content)
    _record_export(roster, fmt, actor)
    return path, RosterFile(content, printed.filename(data, fmt), printed.CONTENT_TYPES[fmt])
