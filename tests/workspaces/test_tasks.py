"""The task queue (PRODUCT.md section 11, "Background work"): registered tasks, enqueued once per unique key,
claimed oldest first, retried after a backoff then failed, a lost lease leaving no trace, periodic tasks kept
queued, the product's own tasks (ZATCA, purges) and `manage.py worker`."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from invoicing.calculation_types import LineInput
from invoicing.calculations import TaxInput, calculate_document
from invoicing.zatca.chain import Issued, lock_device, sign_next
from invoicing.zatca.documents import Kind, TypeCode
from invoicing.zatca.mapping import SourceLine
from invoicing.zatca.models import ZatcaDocument
from tests.invoicing.zatca.sellers import sandbox_device
from workspaces.models import IdempotencyRecord, LoginFailure
from workspaces.tasks import worker
from workspaces.tasks.models import Task
from workspaces.tasks.registry import MORE, enqueue, periodic, registered, task

pytestmark = pytest.mark.django_db

T = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
LEASE = worker.LEASE
RECORD, BROKEN, TICK, BATCHES = (
    "tests.tasks.record",
    "tests.tasks.broken",
    "tests.tasks.tick",
    "tests.tasks.batches",
)
PRODUCT_TASKS = {
    # name: (every, atomic)
    "workspaces.purge_idempotency_keys": (dt.timedelta(hours=1), True),
    "workspaces.purge_done_tasks": (dt.timedelta(hours=1), True),
    "invoicing.zatca_report": (dt.timedelta(seconds=5), False),
    "suppliers.cleanup_uploads": (dt.timedelta(hours=1), False),
}


def _effect(key: str) -> None:
    """A job's visible effect: one row, with no unique constraint that could hide a second."""
    LoginFailure.objects.create(scope=LoginFailure.Scope.ACCOUNT, key=key)


def effects() -> list[str]:
    return sorted(LoginFailure.objects.values_list("key", flat=True))


@task(RECORD)
def record_job(*, job: str) -> None:
    _effect(job)


@task(BROKEN, max_attempts=3)
def broken_job(*, job: str) -> None:
    _effect(job)  # rolled back with the failure
    raise ValueError(f"job {job} is broken")


@task(TICK, every=dt.timedelta(minutes=10))
def tick() -> None:
    _effect("tick")


@task(BATCHES, every=dt.timedelta(minutes=10))
def batches() -> object:
    _effect("batch")
    return MORE if LoginFailure.objects.filter(key="batch").count() < 3 else None


def rows(name: str) -> list[tuple]:
    return list(
        Task.objects.filter(name=name)
        .order_by("pk")
        .values_list("status", "attempts", "run_at", "finished_at", "unique_key")
    )


def fresh(row: Task) -> Task:
    row.refresh_from_db()
    return row


# --- The registry and enqueue -----------------------------------------------------------------------------------


def test_the_task_modules_register_the_product_tasks():
    tasks = registered()
    assert {name: (tasks[name].every, tasks[name].atomic) for name in PRODUCT_TASKS} == PRODUCT_TASKS
    assert {spec.name for spec in periodic()} >= set(PRODUCT_TASKS)


def test_a_task_is_enqueued_by_its_function_or_its_name():
    by_function = enqueue(record_job, args={"job": "a"}, run_at=T)
    by_name = enqueue(RECORD, args={"job": "b"})

    assert (by_function.name, by_function.args, by_function.status, by_function.run_at) == (
        RECORD,
        {"job": "a"},
        "queued",
        T,
    )
    assert (by_function.attempts, by_function.max_attempts, by_function.unique_key) == (0, 5, None)
    assert (by_name.name, by_name.args) == (RECORD, {"job": "b"})
    assert enqueue(broken_job).max_attempts == 3  # the task's own
    assert Task.objects.count() == 3


def test_an_unknown_task_is_refused():
    with pytest.raises(LookupError, match=re.escape("No task is registered as 'tests.tasks.nothing'")):
        enqueue("tests.tasks.nothing")
    with pytest.raises(LookupError, match="not a registered task"):
        enqueue(lambda: None)
    with pytest.raises(ImproperlyConfigured, match=re.escape("Two tasks are named 'tests.tasks.record'")):
        task(RECORD)(lambda: None)
    with pytest.raises(ImproperlyConfigured):
        task("tests.tasks.never", every=dt.timedelta(0))
    assert not Task.objects.exists()


def test_a_unique_key_keeps_one_pending_job():
    with transaction.atomic():
        first = enqueue(RECORD, args={"job": "a"}, unique_key="recount:42")
        # A second one while the first is pending: nothing, and the caller's transaction goes on.
        assert enqueue(RECORD, args={"job": "b"}, unique_key="recount:42") is None
        assert Task.objects.count() == 1
    assert first is not None and enqueue(RECORD, args={"job": "c"}, unique_key="other") is not None

    assert worker.run_once(names=[RECORD]) == {"done": 2}
    # Once done, the key is free again.
    assert enqueue(RECORD, args={"job": "d"}, unique_key="recount:42") is not None
    assert effects() == ["a", "c"]


# --- Claiming ------------------------------------------------------------------------------------------------


def test_claim_takes_the_due_rows_oldest_first_with_a_dead_workers_row():
    newest, oldest, middle = (
        enqueue(RECORD, args={"job": job}, run_at=T - dt.timedelta(minutes=minutes))
        for job, minutes in (("newest", 1), ("oldest", 3), ("middle", 2))
    )
    future = enqueue(RECORD, args={"job": "future"}, run_at=T + dt.timedelta(seconds=1))
    dead, alive = (enqueue(RECORD, args={"job": job}, run_at=T - dt.timedelta(minutes=4)) for job in "da")
    Task.objects.filter(pk=dead.pk).update(
        status="running", attempts=1, lease_until=T - dt.timedelta(seconds=1)
    )
    Task.objects.filter(pk=alive.pk).update(
        status="running", attempts=1, lease_until=T + dt.timedelta(seconds=1)
    )
    Task.objects.create(name=RECORD, status="done", run_at=T - dt.timedelta(hours=1))

    claimed, spent = worker.claim(limit=3, now=T, worker_id="machine-a:12")

    assert ([row.pk for row in claimed], spent) == ([dead.pk, oldest.pk, middle.pk], 0)
    assert {(row.status, row.lease_until, row.claimed_by) for row in claimed} == {
        ("running", T + LEASE, "machine-a:12")
    }
    assert [row.attempts for row in claimed] == [2, 1, 1]
    later, _spent = worker.claim(limit=10, now=T, worker_id="machine-b:7")
    assert [row.pk for row in later] == [newest.pk]
    assert (fresh(future).status, fresh(alive).attempts) == ("queued", 1)


def test_a_dead_workers_task_runs_again_after_its_lease_and_fails_on_its_last_attempt():
    job = enqueue(RECORD, args={"job": "a"}, run_at=T)
    worker.claim(limit=10, now=T)  # a worker claims it, then dies

    assert worker.run_once(names=[RECORD], now=T + LEASE - dt.timedelta(seconds=1)) == {}
    assert worker.run_once(names=[RECORD], now=T + LEASE + dt.timedelta(seconds=1)) == {"done": 1}
    assert (fresh(job).status, job.attempts, effects()) == ("done", 2, ["a"])

    # A job that kills its worker every time is not run forever.
    last = enqueue(RECORD, args={"job": "b"}, run_at=T)
    Task.objects.filter(pk=last.pk).update(status="running", attempts=5, lease_until=T)
    assert worker.run_once(names=[RECORD], now=T + dt.timedelta(seconds=1)) == {"failed": 1}
    last = fresh(last)
    assert (last.status, last.attempts, last.finished_at) == ("failed", 5, T + dt.timedelta(seconds=1))
    assert "the lease ended" in last.last_error
    assert effects() == ["a"]


def test_a_batch_costs_five_queries_and_four_per_task(django_assert_num_queries):
    for job in "abc":
        enqueue(RECORD, args={"job": job})
    # The claim (due ids, the lease, the rows) in a savepoint of the test's transaction (two statements more);
    # then per task its savepoint, the conditional done-mark, the task's own INSERT and the release.
    with django_assert_num_queries(5 + 3 * 4):
        assert worker.run_once(names=[RECORD]) == {"done": 3}


# --- Failures and lost leases ----------------------------------------------------------------------------------


def test_backoff_doubles_from_30_seconds_up_to_an_hour():
    assert [worker.backoff(n).total_seconds() for n in (1, 2, 3, 4, 8, 9, 50)] == [
        30,
        60,
        120,
        240,
        3600,
        3600,
        3600,
    ]


def test_a_failing_task_is_retried_after_its_backoff_then_failed():
    job = enqueue(BROKEN, args={"job": "7"}, run_at=T)

    assert worker.run_once(names=[BROKEN], now=T) == {"retry": 1}
    job = fresh(job)
    first = T + dt.timedelta(seconds=30)
    assert (job.status, job.attempts, job.run_at, job.lease_until) == ("queued", 1, first, None)
    assert job.last_error == "ValueError: job 7 is broken"
    assert effects() == []  # the failed attempt's writes were rolled back

    # Not before its time.
    assert worker.run_once(names=[BROKEN], now=first - dt.timedelta(seconds=1)) == {}
    assert worker.run_once(names=[BROKEN], now=first) == {"retry": 1}
    second = first + dt.timedelta(seconds=60)
    assert (fresh(job).attempts, job.run_at) == (2, second)

    assert worker.run_once(names=[BROKEN], now=second) == {"failed": 1}
    job = fresh(job)
    assert (job.status, job.attempts, job.finished_at, job.lease_until) == ("failed", 3, second, None)
    assert job.last_error == "ValueError: job 7 is broken"
    assert worker.run_once(names=[BROKEN], now=second + dt.timedelta(days=1)) == {}
    assert effects() == []


def test_a_worker_that_lost_its_lease_leaves_no_trace():
    job = enqueue(RECORD, args={"job": "once"}, run_at=T)
    # Given a slow worker whose lease ended before it started the job, and another that took it over.
    (slow,), _spent = worker.claim(limit=1, now=T, worker_id="slow")
    (fast,), _spent = worker.claim(limit=1, now=T + LEASE + dt.timedelta(seconds=1), worker_id="fast")

    assert worker.execute(slow, clock=lambda: T + LEASE + dt.timedelta(seconds=2)) == "lost"
    assert effects() == []  # not run by the worker that lost it
    assert worker.execute(fast, clock=lambda: T + LEASE + dt.timedelta(seconds=3)) == "done"

    assert effects() == ["once"]
    job = fresh(job)
    assert (job.status, job.attempts, job.claimed_by) == ("done", 2, "fast")
    # The slow worker giving it back late changes nothing either.
    assert worker.release([slow], now=T) == 0
    assert fresh(job).status == "done"


def test_a_stopped_worker_gives_back_what_it_did_not_run():
    for job in "abc":
        enqueue(RECORD, args={"job": job}, run_at=T)
    asked = []

    def stop_after_one() -> bool:
        asked.append(None)
        return len(asked) > 1

    assert worker.run_once(names=[RECORD], now=T, should_stop=stop_after_one) == {"done": 1, "released": 2}
    assert [(status, attempts) for status, attempts, *_ in rows(RECORD)] == [
        ("done", 1),
        ("queued", 0),
        ("queued", 0),
    ]
    assert worker.run_once(names=[RECORD], now=T) == {"done": 2}
    assert effects() == ["a", "b", "c"]


# --- Periodic tasks ----------------------------------------------------------------------------------------------


def test_a_periodic_task_is_queued_once_and_runs_every_interval():
    # Two workers start at once: one pending run.
    assert [worker.ensure_periodic(now=T, names=[TICK]) for _worker in range(2)] == [1, 0]
    # Two that both found it missing at the same moment: the second insert is ignored (its unique key).
    Task.objects.bulk_create([Task(name=TICK, unique_key=TICK, run_at=T)], ignore_conflicts=True)
    assert rows(TICK) == [("queued", 0, T, None, TICK)]

    assert worker.run_once(names=[TICK], now=T) == {"done": 1}
    every = dt.timedelta(minutes=10)
    assert rows(TICK) == [("done", 1, T, T, TICK), ("queued", 0, T + every, None, TICK)]

    assert worker.run_once(names=[TICK], now=T + every - dt.timedelta(seconds=1)) == {}
    assert worker.run_once(names=[TICK], now=T + every) == {"done": 1}
    assert [status for status, *_ in rows(TICK)] == ["done", "done", "queued"]
    assert rows(TICK)[-1][2] == T + 2 * every
    assert effects() == ["tick", "tick"]


def test_a_periodic_task_that_has_more_to_do_runs_again_at_once():
    for _run in range(3):
        assert worker.run_once(names=[BATCHES], now=T) == {"done": 1}

    assert effects() == ["batch"] * 3
    # The third run had nothing more: the next one is an interval away.
    assert [(status, run_at) for status, _attempts, run_at, *_ in rows(BATCHES)] == [
        ("done", T),
        ("done", T),
        ("done", T),
        ("queued", T + dt.timedelta(minutes=10)),
    ]


# --- The product's tasks ---------------------------------------------------------------------------------------


def _issue_sale(device) -> ZatcaDocument:
    """One signed simplified invoice in the device's chain, pending in the ZATCA outbox."""
    vat = TaxInput(key="vat", rate=Decimal(15), inclusive=False)
    with transaction.atomic():
        locked = lock_device(store_id=device.store_id)
        number = locked.icv + 1
        issued = Issued(
            source_type="pos_invoice",
            source_id=number,
            number=f"INV-{number:05d}",
            moment=timezone.now(),
            type_code=TypeCode.INVOICE,
            lines=[
                SourceLine(name="Arabic coffee", quantity=Decimal(2), unit_price=Decimal("10.35"), tax=vat)
            ],
            calculation=calculate_document(
                lines=[LineInput(Decimal(2), Decimal("10.35"), taxes=(vat,))], currency="SAR"
            ),
            kind=Kind.SIMPLIFIED,
        )
        return sign_next(locked, issued)


def test_the_zatca_task_reports_the_pending_documents(workspace, store, owner):
    device = sandbox_device(workspace, store)  # the built-in sandbox: no network
    document = _issue_sale(device)
    assert document.status == "pending"

    assert worker.run_once(names=["invoicing.zatca_report"]) == {"done": 1}

    document.refresh_from_db()
    assert (document.status, document.attempts) == ("reported", 1)
    (done, queued) = Task.objects.filter(name="invoicing.zatca_report").order_by("pk")
    assert queued.status == "queued" and queued.run_at - done.finished_at == dt.timedelta(seconds=5)


def _idempotency_record(key: str, age: dt.timedelta) -> None:
    IdempotencyRecord.objects.create(
        principal="user:1",
        key=key,
        method="POST",
        path="/v1/clients",
        fingerprint="f" * 64,
        status_code=201,
        content_type="application/json",
        body=b"{}",
        created_at=timezone.now() - age,
    )


def test_the_purges_delete_only_what_is_past_its_time():
    _idempotency_record("old", dt.timedelta(hours=25))
    _idempotency_record("new", dt.timedelta(hours=23))
    now = timezone.now()
    for status, days in (("done", 8), ("done", 6), ("failed", 30)):
        Task.objects.create(name=RECORD, status=status, finished_at=now - dt.timedelta(days=days))
    purges = ["workspaces.purge_idempotency_keys", "workspaces.purge_done_tasks"]

    assert worker.run_once(names=purges) == {"done": 2}

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert sorted(
        (status, (now - finished).days)
        for status, finished in Task.objects.filter(name=RECORD).values_list("status", "finished_at")
    ) == [("done", 6), ("failed", 30)]


# --- The command ------------------------------------------------------------------------------------------------


def test_the_worker_command_runs_every_due_task_once():
    enqueue(RECORD, args={"job": "a"})
    out = io.StringIO()

    call_command("worker", "--once", stdout=out)

    # Every periodic task ran (the product's and this module's) and the one queued job.
    assert out.getvalue() == f"Tasks: done {len(periodic()) + 1}.\n"
    for name in PRODUCT_TASKS:
        assert [status for status, *_ in rows(name)] == ["done", "queued"]
    assert effects() == ["a", "batch", "tick"]
    # Nothing else is due: a second pass prints nothing.
    call_command("worker", "--once", "--task", RECORD, stdout=(again := io.StringIO()))
    assert again.getvalue() == ""


def test_the_worker_command_refuses_bad_options():
    with pytest.raises(CommandError, match="more than 0"):
        call_command("worker", "--once", "--limit", "0")
    with pytest.raises(CommandError, match="more than 0"):
        call_command("worker", "--once", "--interval", "0")
    with pytest.raises(CommandError, match=re.escape("No task is registered as tests.tasks.nothing")):
        call_command("worker", "--once", "--task", "tests.tasks.nothing")
    assert not Task.objects.exists()
