"""Background jobs of the audit cases. The self-inspection list and the risk checks run on demand
(the auditor's page, the API, ``yibao inspection``) and every night for each pooling region of the
employee scheme whose policy sets a year: ``nightly_checks`` (huey periodic task, at
``settings.INSPECTION_CHECKS_AT``, default 02:30) records one job, ``inspection.checks``, with a
step of progress per region. A second run opens no case twice (each case's source key is unique
per unit, kind and year)."""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from yibao import clock
from yibao.jobs.services import Outcome, Run, enqueue, handler

from . import services

KIND = "inspection.checks"


@handler(KIND)
def run_checks(run: Run) -> Outcome:
    """``params``: {"regions": [[region, year], …]}; each region in its own transactions, a
    failure in one told in the result without stopping the others."""
    regions = [(str(r), int(y)) for r, y in run.params.get("regions", [])]
    run.start(len(regions))
    done, results, failed = 0, [], []
    for region, year in regions:
        try:
            reports = services.run_scheduled_checks(region, year, actor=run.owner)
        except Exception as exc:  # one region's failure is reported; the others still run
            failed.append(region)
            results.append({"region": region, "year": year, "error": str(exc)[:300]})
        else:
            results.append({"region": region, "year": year, "opened": sum(r.opened for r in reports),
                            "results": [x.as_dict() for r in reports for x in r.results]})
        done += 1
        run.advance(done, force=True)
    opened = sum(r.get("opened", 0) for r in results)
    message = f"已检查 {len(regions)} 个统筹区，新立案 {opened} 件"
    if failed:
        message += f"；未完成：{'、'.join(failed)}"
    return Outcome(message=message + "。", result={"regions": results, "opened": opened}, failed=bool(failed))


def start_checks(*, owner=None, in_process: bool = False):
    """One job over every scheduled region (the nightly run, or an administrator's command)."""
    regions = services.scheduled_regions(clock.today())
    return enqueue(owner, KIND, "自查自纠名单与风险检查（定时）", {"regions": [[r, y] for r, y in regions]},
                   in_process=in_process)


_AT = getattr(settings, "INSPECTION_CHECKS_AT", "02:30").split(":")


@db_periodic_task(crontab(hour=_AT[0], minute=_AT[1]), name="inspection.nightly_checks")
def nightly_checks():
    """Every night: the self-inspection list and the risk checks of each scheduled region."""
    start_checks(in_process=True)
