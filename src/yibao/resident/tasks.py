"""The resident scheme's job handlers (``yibao.jobs.services.handler``): ids → objects → one
service. Each subdomain's handlers live in its own module, imported here."""

from __future__ import annotations

# --- renewal roster (续保人员名册) ------------------------------------------------------------------
from yibao.jobs.services import Outcome, Run, handler  # noqa: E402


@handler("resident.roster.pdf")
def render_roster(run: Run) -> Outcome:
    """A large village's roster PDF, laid out by the worker page by page on the progress bar."""
    from .models import Roster
    from .services import roster

    p = run.params
    path, file = roster.render_file(Roster.objects.get(pk=p["roster"]), p.get("format", "pdf"), actor=run.owner,
                                    name=str(run.id), start=run.start,
                                    progress=lambda page: run.advance(page, force=True))
    return Outcome(message=f"已生成 {file.filename}", result={"filename": file.filename}, result_file=str(path))


from . import tasks_imports  # noqa: E402,F401  (bulk imports and batch review)
