"""The business date (业务日期).

Normally today's date in Asia/Shanghai. ``YIBAO_TODAY=YYYY-MM-DD`` pins it, for training,
demonstrations and tests that must run as of a date the shipped policies cover (the demo runs
as of a day in the 2024 declaration period, since the notices shipped are for 2024).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def today() -> dt.date:
    pinned = getattr(settings, "YIBAO_TODAY", None)
    return pinned or timezone.localdate()
