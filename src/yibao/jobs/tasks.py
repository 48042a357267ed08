"""The one huey task: run a job by id through the handler its app registered."""

from huey.contrib.djhuey import db_task

from . import services


@db_task()
def run_job(job_id: str) -> None:
    services.run(job_id)
