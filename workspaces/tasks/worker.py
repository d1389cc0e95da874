"""The task worker (PRODUCT.md section 11, "Background work"): any number of them, on any machine, share the
`Task` table of the primary database and never run the same job at once. The ZATCA outbox's pattern
(`invoicing.zatca.reporting`), made general. One pass (`run_once`):

1. **periodic tasks**: each registered `every=` task gets a queued row if it has no pending one (its `unique_key` is
   its name, so however many workers insert at once, one row exists).
2. **claim** up to `limit` due rows in one short transaction: queued ones due now, and running ones whose lease
   ended (their worker died), oldest first, `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite's write lock serialises
   claims); each gets `attempts + 1`, a lease and the worker's id, committed before anything runs. A running row
   whose lease ended on its last attempt is `failed` instead (a job that kills its worker is not run forever).
3. **run** each. An atomic task (the default) runs in one transaction that begins with its done-mark, `UPDATE ...
   WHERE pk AND status = running AND attempts = <this claim's>`: it locks the row, so no other worker can take it
   over while it runs, and if another worker took it already (the lease ended first) it updates nothing and the
   function is not run. The function's writes and the done-mark commit together or not at all: a database-only
   job's effects happen exactly once. A task that is not atomic (it calls the network) runs outside any
   transaction and gets the same conditional done-mark after; a worker dying in between runs it again after the
   lease, so it must be idempotent itself (ZATCA's outbox is).
4. a **failure** is logged and stored (the error's class and message); the row is queued again after a backoff,
   30 s x 2^(attempts - 1), at most an hour, or `failed` once `max_attempts` are spent.
5. after a success, a **periodic** task's next run is queued `every` later, in the same transaction as the done-mark
   (the done row no longer holds the unique key); one that returned `MORE` (a full batch) is queued for now.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from typing import Any

from django.db import connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from workspaces.tasks.models import Task
from workspaces.tasks.registry import (
    MORE,
    TaskSpec,
    get_task,
    load_task_modules,
    periodic,
    stop_requested,
    stop_signal,
    task_database,
)

logger = logging.getLogger(__name__)

Status = Task.Status
LEASE = dt.timedelta(minutes=5)  # longer than any task runs (the ZATCA batch stops itself within 2 minutes)
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=1)
LAST_ERROR_LENGTH = 500
Clock = Callable[[], dt.datetime]


class LeaseLost(Exception):
    """Another worker took the task over (this worker's lease ended first): this run must leave no trace."""


def backoff(attempts: int) -> dt.timedelta:
    """The wait after a failed attempt: 30 s x 2^(attempts - 1), at most an hour."""
    exponent = min(max(attempts, 1) - 1, 20)  # 2^20 x 30 s is far past the cap
    return min(BACKOFF_FIRST * 2**exponent, BACKOFF_CAP)


def default_worker_id() -> str:
    """Names the worker in the rows it claims: the machine and the process."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def ensure_periodic(*, now: dt.datetime, names: Collection[str] | None = None) -> int:
    """Queues a run, due now, of every periodic task that has no pending one; how many were missing. One SELECT
    when none is (the common case), and an insert that ignores a row another worker inserted meanwhile."""
    specs = periodic(names)
    if not specs:
        return 0
    database = task_database()
    pending = set(
        Task.objects.using(database)
        .filter(unique_key__in=[spec.name for spec in specs], status__in=Task.PENDING)
        .values_list("unique_key", flat=True)
    )
    missing = [spec for spec in specs if spec.name not in pending]
    if missing:
        Task.objects.using(database).bulk_create(
            [_next_run(spec.name, spec, args={}, run_at=now, unique_key=spec.name) for spec in missing],
            ignore_conflicts=True,
        )
    return len(missing)


def _next_run(name: str, spec: TaskSpec, *, args: Any, run_at: dt.datetime, unique_key: str | None) -> Task:
    return Task(name=name, args=args, run_at=run_at, max_attempts=spec.max_attempts, unique_key=unique_key)


def claim(
    *,
    limit: int,
    now: dt.datetime,
    lease: dt.timedelta = LEASE,
    worker_id: str = "",
    names: Collection[str] | None = None,
) -> tuple[list[Task], int]:
    """Takes up to `limit` due rows for this worker, oldest first (see the module's docstring), committed before
    it returns: the claimed rows, and how many running rows it found spent (their last lease ended) and failed."""
    database = task_database()
    queue = Task.objects.using(database)
    with transaction.atomic(using=database):
        due = queue.filter(
            Q(status=Status.QUEUED, run_at__lte=now) | Q(status=Status.RUNNING, lease_until__lt=now)
        )
        if names is not None:
            due = due.filter(name__in=list(names))
        due = due.order_by("run_at", "pk")
        if connections[database].features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        rows = list(due.values_list("pk", "attempts", "max_attempts")[:limit])
        spent = [pk for pk, attempts, most in rows if attempts >= most]
        ids = [pk for pk, attempts, most in rows if attempts < most]
        if spent:
            queue.filter(pk__in=spent).update(
                status=Status.FAILED,
                finished_at=now,
                lease_until=None,
                last_error="Its worker stopped before finishing it (the lease ended) on its last attempt.",
            )
            logger.error("Tasks %s failed: their worker stopped on their last attempt", spent)
        if not ids:
            return [], len(spent)
        queue.filter(pk__in=ids).update(
            status=Status.RUNNING,
            attempts=F("attempts") + 1,
            lease_until=now + lease,
            claimed_by=worker_id[:100],
        )
        claimed = list(queue.filter(pk__in=ids))
    order = {pk: index for index, pk in enumerate(ids)}
    return sorted(claimed, key=lambda row: order[row.pk]), len(spent)


def _still_mine(row: Task) -> Any:
    """The row as this claim left it: it is this worker's while this matches (another claim adds an attempt)."""
    return Task.objects.using(task_database()).filter(pk=row.pk, status=Status.RUNNING, attempts=row.attempts)


def _mark_done(row: Task, *, now: dt.datetime) -> None:
    """The conditional done-mark: `LeaseLost` if the row is no longer this claim's. An atomic task takes it
    first, so its `finished_at` is when its transaction began (it commits, or not, with the task's writes)."""
    if _still_mine(row).update(status=Status.DONE, finished_at=now, lease_until=None, last_error="") != 1:
        raise LeaseLost


def _follow_up(row: Task, spec: TaskSpec, result: Any, *, now: dt.datetime) -> None:
    """The next run of a periodic task (`every` later, or now after `MORE`), or again now for a one-off `MORE`."""
    if result is MORE:
        run_at = now
    elif spec.every is not None:
        run_at = now + spec.every
    else:
        return
    Task.objects.using(task_database()).bulk_create(
        [_next_run(row.name, spec, args=row.args, run_at=run_at, unique_key=row.unique_key)],
        ignore_conflicts=True,  # another run is pending already (enqueued by hand): it does the job
    )


def _fail(row: Task, error: Exception, *, now: dt.datetime) -> str:
    """Stores the failure on the row if it is still this claim's: queued again after its backoff, or failed once
    its attempts are spent. The label: `retry`, `failed`, or `lost` (another worker has it now)."""
    message = f"{type(error).__name__}: {error}"[:LAST_ERROR_LENGTH]
    if row.attempts >= row.max_attempts:
        label = "failed"
        fields: dict[str, Any] = {"status": Status.FAILED, "finished_at": now}
    else:
        label = "retry"
        fields = {"status": Status.QUEUED, "run_at": now + backoff(row.attempts)}
    fields.update(lease_until=None, last_error=message)
    if _still_mine(row).update(**fields) != 1:
        return "lost"
    for name, value in fields.items():
        setattr(row, name, value)
    logger.error(
        "Task %s #%s: %s on attempt %s of %s%s",
        row.name,
        row.pk,
        message,
        row.attempts,
        row.max_attempts,
        f", next after {row.run_at.isoformat(timespec='seconds')}" if label == "retry" else ", given up",
        exc_info=error,
    )
    return label


def execute(row: Task, *, clock: Clock) -> str:
    """Runs one claimed row (see the module's docstring); the outcome's label: done, retry, failed or lost."""
    spec = get_task(row.name)
    started = time.monotonic()
    try:
        if spec is None:
            # A worker of an older release meets a newer task: it fails and comes back after the backoff, by
            # then on a worker that knows it.
            raise LookupError(f"no task is registered as {row.name!r} on this worker")
        if spec.atomic:
            with transaction.atomic(using=task_database()):
                _mark_done(row, now=clock())  # first: it locks the row for the whole run
                result = spec.function(**row.args)
                _follow_up(row, spec, result, now=clock())
        else:
            result = spec.function(**row.args)
            finished = clock()
            with transaction.atomic(using=task_database()):
                _mark_done(row, now=finished)
                _follow_up(row, spec, result, now=finished)
    except LeaseLost:
        logger.warning(
            "Task %s #%s: another worker took it over (this worker's lease ended)%s",
            row.name,
            row.pk,
            ", so it was not run here" if spec is not None and spec.atomic else "; it ran here too",
        )
        return "lost"
    except Exception as error:
        return _fail(row, error, now=clock())
    logger.log(
        logging.DEBUG if spec.every is not None else logging.INFO,
        "Task %s #%s: done (attempt %s, %.2f s)",
        row.name,
        row.pk,
        row.attempts,
        time.monotonic() - started,
    )
    return "done"


def release(rows: Sequence[Task], *, now: dt.datetime) -> int:
    """Gives back claimed rows that were not run (a stop, a lease about to end): due now, the attempt not counted.
    The number given back."""
    database, released = task_database(), 0
    with transaction.atomic(using=database):
        for row in rows:
            released += _still_mine(row).update(
                status=Status.QUEUED, attempts=F("attempts") - 1, lease_until=None, run_at=now
            )
    return released


def run_once(
    *,
    limit: int = 20,
    worker_id: str = "",
    names: Collection[str] | None = None,
    now: dt.datetime | None = None,
    lease: dt.timedelta = LEASE,
    should_stop: Callable[[], bool] | None = None,
) -> dict[str, int]:
    """One pass of the worker: queues the periodic tasks that have no pending run, claims up to `limit` due rows
    and runs each; the counts per outcome (`done`, `retry`, `failed`, `lost`, and `released` for rows given back
    unrun because `should_stop()` said so or their lease was half gone). `names` keeps to those tasks (a worker
    dedicated to some; the tests). `now` fixes the clock (tests); by default each step reads the time."""

    def clock() -> dt.datetime:
        return now if now is not None else timezone.now()

    load_task_modules()
    ensure_periodic(now=clock(), names=names)
    claimed, spent = claim(limit=limit, now=clock(), lease=lease, worker_id=worker_id, names=names)
    counts: Counter[str] = Counter(failed=spent) if spent else Counter()
    with stop_signal(should_stop):
        for index, row in enumerate(claimed):
            half_gone = row.lease_until is not None and clock() > row.lease_until - lease / 2
            if stop_requested() or half_gone:
                counts["released"] += release(claimed[index:], now=clock())
                break
            counts[execute(row, clock=clock)] += 1
    return dict(counts)
