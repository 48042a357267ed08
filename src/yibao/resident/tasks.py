"""The resident scheme's job handlers (``yibao.jobs.services.handler``): ids → objects → one
service. Each subdomain's handlers live in its own module, imported here."""

from __future__ import annotations

from . import tasks_imports  # noqa: E402,F401  (bulk imports and batch review)
