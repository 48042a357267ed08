"""The collection's job handlers (``yibao.jobs.services.handler``): ids → objects → one service."""

from __future__ import annotations

import datetime as dt

from yibao.jobs.services import Outcome, Run, handler


@handler("collection.fund.generate")
def generate_fund_payments(run: Run) -> Outcome:
    """The assistance fund's payments of a region and year, chunk by chunk on the progress bar."""
    from yibao.regions.models import Division

    from .services import fund

    p = run.params
    run.start(0)
    outcome = fund.generate(Division.objects.get(pk=p["region"]), int(p["insurance_year"]),
                            on=dt.date.fromisoformat(p["on"]), actor=run.owner,
                            progress=lambda done, total: run.advance(done, total, force=True))
    return Outcome(message=outcome.message, result=outcome.public())
