"""Background work on several workers (PRODUCT.md section 11): the reference setup's two `manage.py worker`
processes drain a queue of 1,000 jobs, each done exactly once."""

from __future__ import annotations

import subprocess

import psycopg

from tests.scale.conftest import ROOT, STATE, Setup, wait_for

JOBS = 1000
ENQUEUE = (
    "from workspaces.tasks.models import Task; "
    f"Task.objects.bulk_create([Task(name='scale.probe', args={{'job': n}}) for n in range({JOBS})])"
)


def test_two_workers_do_each_of_a_thousand_jobs_exactly_once(setup: Setup):
    with psycopg.connect(setup.primary, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS scale_probe")
        conn.execute("CREATE TABLE scale_probe (job integer NOT NULL, worker integer NOT NULL)")
        conn.execute("DELETE FROM workspaces_task WHERE name = 'scale.probe'")
    env_file = STATE / "app.env"
    subprocess.run(
        ["bash", "-c", f'set -a; . {env_file}; exec .venv/bin/python manage.py shell -c "{ENQUEUE}"'],
        cwd=ROOT,
        check=True,
        timeout=120,
    )

    def drained() -> bool:
        with psycopg.connect(setup.primary) as conn:
            pending = conn.execute(
                "SELECT count(*) FROM workspaces_task WHERE name = 'scale.probe' AND status <> 'done'"
            ).fetchone()[0]
        return pending == 0

    assert wait_for(drained, seconds=180, every=1.0), "the workers did not drain the queue in 3 minutes"
    with psycopg.connect(setup.primary) as conn:
        runs, jobs, workers = conn.execute(
            "SELECT count(*), count(DISTINCT job), count(DISTINCT worker) FROM scale_probe"
        ).fetchone()
        attempts, claimers = conn.execute(
            "SELECT array_agg(DISTINCT attempts), count(DISTINCT claimed_by) FROM workspaces_task"
            " WHERE name = 'scale.probe'"
        ).fetchone()
    assert (runs, jobs) == (JOBS, JOBS)  # each job ran once: no job twice, none missing
    assert attempts == [1]
    assert workers == claimers == 2  # both workers took part
