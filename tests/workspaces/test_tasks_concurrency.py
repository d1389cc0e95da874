"""Workers at once on PostgreSQL (PRODUCT.md section 11): each job run by exactly one worker, in real threads with a
connection each; an atomic task keeps its row while it runs, however long its lease was; `manage.py worker` as the
long-lived process it is in production, stopped by SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests.concurrency import run_together, values_of
from workspaces.models import LoginFailure
from workspaces.tasks import worker
from workspaces.tasks.models import Task
from workspaces.tasks.registry import enqueue, task

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

JOB, SLOW = "tests.tasks.concurrent_job", "tests.tasks.slow_job"
JOBS = 1000
started, go_on = threading.Event(), threading.Event()


@task(JOB)
def concurrent_job(*, job: int) -> None:
    # No unique constraint on this table: a job run twice would leave two rows.
    LoginFailure.objects.create(scope=LoginFailure.Scope.ACCOUNT, key=str(job))


@task(SLOW)
def slow_job() -> None:
    LoginFailure.objects.create(scope=LoginFailure.Scope.ACCOUNT, key="slow")
    started.set()
    assert go_on.wait(timeout=30), "the test never let the slow job finish"


def test_two_workers_drain_a_thousand_jobs_each_exactly_once():
    with transaction.atomic():
        for job in range(JOBS):
            enqueue(JOB, args={"job": job})

    def work(index: int) -> Counter[str]:
        total: Counter[str] = Counter()
        while counts := worker.run_once(limit=10, worker_id=f"worker-{index}", names=[JOB]):
            total.update(counts)
        return total

    totals = values_of(run_together(2, work))

    assert [set(total) for total in totals] == [{"done"}, {"done"}]
    assert sum(total["done"] for total in totals) == JOBS
    keys = list(LoginFailure.objects.values_list("key", flat=True))
    assert (len(keys), len(set(keys))) == (JOBS, JOBS)
    assert set(keys) == {str(job) for job in range(JOBS)}
    assert set(Task.objects.values_list("status", "attempts")) == {("done", 1)}
    # Both workers had their share (each claims 10 at a time, so neither can take everything at once).
    done_by = Counter(Task.objects.values_list("claimed_by", flat=True))
    assert set(done_by) == {"worker-0", "worker-1"}
    assert [done_by["worker-0"], done_by["worker-1"]] == [totals[0]["done"], totals[1]["done"]]


def test_an_atomic_task_is_not_taken_over_while_it_runs_even_past_its_lease():
    job = enqueue(SLOW)
    started.clear()
    go_on.clear()
    first: dict[str, dict[str, int]] = {}

    def slow_worker() -> None:
        try:
            first["counts"] = worker.run_once(worker_id="slow", names=[SLOW])
        finally:
            connection.close()

    thread = threading.Thread(target=slow_worker)
    thread.start()
    try:
        assert started.wait(timeout=30), "the slow job never started"
        # Another worker whose clock is past the slow one's lease: the row is locked by the job's transaction.
        later = timezone.now() + worker.LEASE * 2
        taken = worker.run_once(worker_id="other", names=[SLOW], now=later)
    finally:
        go_on.set()
        thread.join(timeout=30)
    assert not thread.is_alive()

    assert (taken, first["counts"]) == ({}, {"done": 1})
    job.refresh_from_db()
    assert (job.status, job.attempts, job.claimed_by) == ("done", 1, "slow")
    assert list(LoginFailure.objects.values_list("key", flat=True)) == ["slow"]


def test_the_worker_process_runs_until_sigterm_and_stops_cleanly():
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
    }
    purge = "workspaces.purge_idempotency_keys"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval", "0.2", "--task", purge],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Wait (polling, with a deadline) until it has run the periodic task and queued the next run.
        deadline = time.monotonic() + 30
        while Task.objects.filter(name=purge, status="done").count() < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode == 0, err
    assert out == "Tasks: done 1.\n"
    assert list(Task.objects.filter(name=purge).order_by("pk").values_list("status", flat=True)) == [
        "done",
        "queued",
    ]
