"""The reports' scheduled job: the weekly report (周报) of every pooling region, generated and
stored once its week's deadline has passed (晋城: Fridays 17:00). Runs hourly with the worker
that ``yibao serve`` starts (huey's periodic tasks), so a report missed while the worker was down
is made at the next hour."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import reports


@db_periodic_task(crontab(minute="5"))
def weekly_reports():
    return [r.pk for r in reports.friday_reports()]
