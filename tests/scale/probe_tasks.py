"""The reference setup's probe task (`EXTRA_TASK_MODULES=tests.scale.probe_tasks` in deploy/'s worker env): each run
appends one row naming its job and its worker process to `scale_probe`, a table with no unique constraint, so a job
run twice would show twice."""

from __future__ import annotations

import os

from django.db import connection

from workspaces.tasks.registry import task


@task(name="scale.probe")
def probe(job: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO scale_probe (job, worker) VALUES (%s, %s)", [job, os.getpid()])
