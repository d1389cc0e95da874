"""The ZATCA worker (PRODUCT.md sections 8b, 8c): the outbox sent to a loopback fake of ZATCA, each answer recorded
once, retries after their backoff, nothing lost or sent twice when a worker dies, several workers at once."""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from invoicing.calculation_types import LineInput
from invoicing.calculations import TaxInput, calculate_document
from invoicing.zatca import reporting
from invoicing.zatca.chain import Issued, decrypt, lock_device, sign_next
from invoicing.zatca.documents import Kind, TypeCode
from invoicing.zatca.gateway import Answer, Credentials, submission
from invoicing.zatca.mapping import SourceLine
from invoicing.zatca.models import ZatcaDevice, ZatcaDocument
from invoicing.zatca.onboarding import zatca_onboard
from tests.concurrency import run_together, values_of
from tests.invoicing.zatca.documents_factory import BUYER
from tests.invoicing.zatca.fake_zatca import (
    CLEARANCE,
    DROP,
    REPORTING,
    FakeZatca,
    message,
    not_reported,
    reported,
    reported_earlier,
)
from tests.invoicing.zatca.sellers import make_seller
from tests.pos.conftest import owner_access

pytestmark = pytest.mark.django_db

D = Decimal
VAT = TaxInput(key="vat", rate=D(15), inclusive=False)
LEASE = reporting.lease_duration  # read under the test's settings
WARNING = message("WARNING", "BR-KSA-98", "The seller's address is incomplete.")
ERROR = message("ERROR", "BR-KSA-37", "The invoice hash does not match.")


@pytest.fixture(autouse=True)
def short_timeout(settings):
    settings.ZATCA_TIMEOUT_SECONDS = 2.0


@pytest.fixture
def seller(workspace, store):
    return make_seller(workspace, store)


@pytest.fixture
def sandbox_device(seller, workspace, owner) -> ZatcaDevice:
    return zatca_onboard(
        store=seller,
        access=owner_access(workspace, owner),
        otp="123345",
        environment="sandbox",
        invoice_type="1100",
    )


@pytest.fixture
def fake():
    server = FakeZatca().start()
    yield server
    server.stop()


@pytest.fixture
def device(sandbox_device, fake) -> ZatcaDevice:
    """The sandbox's device, pointed at the loopback fake as a simulation device."""
    sandbox_device.environment, sandbox_device.base_url = ZatcaDevice.Environment.SIMULATION, fake.url
    sandbox_device.save()
    return sandbox_device


def issue(device: ZatcaDevice, count: int = 1, *, kind: Kind = Kind.SIMPLIFIED) -> list[ZatcaDocument]:
    """`count` one-line sales signed into the device's chain, as the product signs them (each in its transaction)."""
    documents = []
    for _ in range(count):
        with transaction.atomic():
            locked = lock_device(store_id=device.store_id)
            number = locked.icv + 1
            calculation = calculate_document(
                lines=[LineInput(D(2), D("10.35"), taxes=(VAT,))], currency="SAR"
            )
            issued = Issued(
                source_type="pos_invoice" if kind is Kind.SIMPLIFIED else "api2_invoice",
                source_id=number,
                number=f"INV-{number:05d}",
                moment=timezone.now(),
                type_code=TypeCode.INVOICE,
                lines=[SourceLine(name="Arabic coffee", quantity=D(2), unit_price=D("10.35"), tax=VAT)],
                calculation=calculation,
                buyer=BUYER if kind is Kind.STANDARD else None,
                kind=kind,
            )
            documents.append(sign_next(locked, issued))
    return documents


def fresh(document: ZatcaDocument) -> ZatcaDocument:
    document.refresh_from_db()
    return document


def test_backoff_doubles_from_30_seconds_up_to_an_hour_plus_a_little_jitter():
    assert [reporting.backoff(n, jitter=0).total_seconds() for n in (1, 2, 3, 4, 8, 9, 50)] == [
        30,
        60,
        120,
        240,
        3600,
        3600,
        3600,
    ]
    assert reporting.backoff(1, jitter=0.999) < dt.timedelta(seconds=33)
    assert reporting.backoff(12, jitter=0.5) == dt.timedelta(seconds=3780)


def test_each_answer_ends_as_the_spec_says(device, fake):
    documents = issue(device, 7)
    fake.script(
        reported(),
        reported(warnings=[WARNING]),
        not_reported([ERROR]),
        (429, {"message": "Too many requests"}),
        (500, {"message": "Internal error"}),
        DROP,
        reported_earlier(),
    )
    now = timezone.now()

    counts = reporting.run_once(now=now)

    assert counts == {
        "reported": 1,
        "reported_with_warnings": 1,
        "rejected": 1,
        "retry": 3,
        "reported_earlier": 1,
    }
    ok, warned, rejected, throttled, failed, dropped, earlier = (fresh(d) for d in documents)
    assert (ok.status, ok.reported_at, ok.errors, ok.warnings, ok.attempts) == ("reported", now, [], [], 1)
    assert (warned.status, warned.reported_at, warned.warnings) == ("reported_with_warnings", now, [WARNING])
    assert (rejected.status, rejected.reported_at, rejected.errors) == ("rejected", None, [ERROR])
    assert (earlier.status, earlier.reported_at) == ("reported", now)
    for pending, error in ((throttled, "HTTP 429"), (failed, "HTTP 500"), (dropped, "no answer")):
        assert (pending.status, pending.attempts, pending.reported_at) == ("pending", 1, None)
        assert pending.last_error.startswith(error)
        assert now + dt.timedelta(seconds=30) <= pending.next_attempt_at <= now + dt.timedelta(seconds=33)
    # The signed XML is never changed by an answer.
    assert all(bytes(fresh(d).xml) == bytes(d.xml) for d in documents)


def test_a_batch_costs_three_queries_and_one_per_document(device, fake, django_assert_num_queries):
    issue(device, 3)
    # The claim (the due ids, the lease, the documents with their devices) in a savepoint of the test's transaction
    # (two statements more), then one conditional UPDATE per answer.
    with django_assert_num_queries(5 + 3):
        assert reporting.run_once() == {"reported": 3}


def test_an_undocumented_answer_is_tried_again_and_says_so():
    outcome = reporting.outcome_of("simplified", Answer(418, {"message": "teapot"}))
    assert outcome.retry and "does not document" in outcome.last_error and "teapot" in outcome.last_error
    rejected = reporting.outcome_of(
        "simplified", Answer(400, {"errorCode": "Invalid-Request", "errorMessage": "x"})
    )
    assert (rejected.status, rejected.errors) == ("rejected", [{"code": "Invalid-Request", "message": "x"}])


def test_the_fake_receives_the_exact_body_and_headers(device, fake):
    (document,) = issue(device)

    assert reporting.run_once() == {"reported": 1}

    (request,) = fake.received
    assert request.path == "/e-invoicing/simulation" + REPORTING
    assert request.body == submission(bytes(document.xml), uuid=str(document.uuid), hash_b64=document.hash)
    assert request.body == {
        "invoiceHash": document.hash,
        "uuid": str(document.uuid),
        "invoice": base64.b64encode(bytes(document.xml)).decode(),
    }
    credentials = Credentials(device.production_token, decrypt(device.production_secret))
    assert request.headers["Authorization"] == credentials.header()
    assert request.headers["Authorization"].startswith("Basic ")
    assert (request.headers["Accept-Version"], request.headers["Clearance-Status"]) == ("V2", "0")


def test_retries_come_back_after_their_backoff_and_not_before(device, fake):
    (document,) = issue(device)
    fake.script((503, {}), (503, {}))
    start = timezone.now()

    assert reporting.run_once(now=start) == {"retry": 1}
    first = fresh(document).next_attempt_at
    assert dt.timedelta(seconds=30) <= first - start <= dt.timedelta(seconds=33)
    # Not before its time: nothing is claimed, nothing sent.
    assert reporting.run_once(now=first - dt.timedelta(seconds=1)) == {}
    assert len(fake.received) == 1

    assert reporting.run_once(now=first) == {"retry": 1}
    second = fresh(document).next_attempt_at
    assert dt.timedelta(seconds=60) <= second - first <= dt.timedelta(seconds=66)
    assert reporting.run_once(now=second - dt.timedelta(seconds=1)) == {}

    assert reporting.run_once(now=second) == {"reported": 1}
    document = fresh(document)
    assert (document.status, document.attempts, document.last_error, len(fake.received)) == (
        "reported",
        3,
        "",
        3,
    )


def test_standard_documents_are_cleared(device, fake):
    cleared, warned, rejected = issue(device, 3, kind=Kind.STANDARD)
    signed = bytes(cleared.xml)
    fake.script(
        (200, {"clearanceStatus": "CLEARED", "clearedInvoice": "PD94"}),
        (202, {"validationResults": {"warningMessages": [WARNING]}, "clearanceStatus": "CLEARED"}),
        (400, {"validationResults": {"errorMessages": [ERROR]}, "clearanceStatus": "NOT_CLEARED"}),
    )

    assert reporting.run_once() == {"cleared": 1, "cleared_with_warnings": 1, "rejected": 1}

    assert [r.path.removeprefix("/e-invoicing/simulation") for r in fake.received] == [CLEARANCE] * 3
    assert {r.headers["Clearance-Status"] for r in fake.received} == {"1"}
    assert fresh(cleared).status == "cleared" and cleared.reported_at is not None
    assert bytes(cleared.xml) == signed  # ZATCA's cleared XML is not stored here (no field for it yet)
    assert (fresh(warned).status, warned.warnings) == ("cleared_with_warnings", [WARNING])
    assert (fresh(rejected).status, rejected.errors) == ("rejected", [ERROR])


class Crash(BaseException):
    """The worker dies (a kill, a lost machine): nothing after it runs, no handler catches it."""


def test_a_worker_killed_between_send_and_record_reports_the_document_once(device, fake, monkeypatch):
    (document,) = issue(device)
    start = timezone.now()

    def crash(*args, **kwargs):
        raise Crash

    # Given a worker that dies after ZATCA accepted the document, before recording it.
    with monkeypatch.context() as patch:
        patch.setattr(reporting, "record", crash)
        with pytest.raises(Crash):
            reporting.run_once(now=start)
    assert fake.accepted[document.hash] == 1
    document = fresh(document)
    assert (document.status, document.attempts, document.next_attempt_at) == ("pending", 1, start + LEASE())

    # While its lease holds, no other worker takes it.
    assert reporting.run_once(now=start + LEASE() - dt.timedelta(seconds=1)) == {}

    # Then: sent again, ZATCA answers that it has it (409), recorded reported once.
    assert reporting.run_once(now=start + LEASE()) == {"reported_earlier": 1}
    document = fresh(document)
    assert (document.status, document.attempts, document.reported_at) == ("reported", 2, start + LEASE())
    assert [r.body["uuid"] for r in fake.received] == [str(document.uuid)] * 2
    assert fake.accepted[document.hash] == 1
    assert reporting.run_once(now=start + LEASE() * 10) == {}


def test_a_late_worker_never_overwrites_a_recorded_answer(device, fake):
    (document,) = issue(device)
    start = timezone.now()
    (slow,) = reporting.claim(limit=10, now=start, lease=LEASE())

    # Another worker takes it once the slow one's lease ended, and records ZATCA's 200.
    assert reporting.run_once(now=start + LEASE()) == {"reported": 1}
    # The slow worker's answer (a timeout) arrives late: nothing is written.
    late = reporting.outcome_of(slow.kind, Answer(0, {"error": "timed out"}))
    assert reporting.record(slow, late, now=start + LEASE()) is False
    assert reporting.record(slow, reporting.outcome_of(slow.kind, Answer(400, {})), now=start) is False
    document = fresh(document)
    assert (document.status, document.attempts, document.last_error) == ("reported", 2, "")


def test_a_stopped_worker_gives_back_what_it_did_not_send(device, fake):
    documents = issue(device, 3)
    sent = []

    def stop_after_one() -> bool:
        sent.append(None)
        return len(sent) > 1

    assert reporting.run_once(should_stop=stop_after_one) == {"reported": 1, "released": 2}
    assert [fresh(d).status for d in documents] == ["reported", "pending", "pending"]
    assert [d.attempts for d in documents] == [1, 0, 0]
    assert reporting.run_once() == {"reported": 2}


def test_the_sandbox_reports_end_to_end(sandbox_device):
    documents = issue(sandbox_device, 2)

    assert reporting.run_once() == {"reported": 2}
    assert [fresh(d).status for d in documents] == ["reported", "reported"]

    # A second report of the same document (as after a crash before recording): the sandbox answers 409.
    ZatcaDocument.objects.filter(pk=documents[0].pk).update(status="pending", next_attempt_at=timezone.now())
    assert reporting.run_once() == {"reported_earlier": 1}
    assert fresh(documents[0]).status == "reported"


def test_the_command_logs_each_document_and_never_a_secret(device, fake, caplog):
    documents = issue(device, 3)
    fake.script(reported(), not_reported([ERROR]), DROP)
    out, err = io.StringIO(), io.StringIO()

    with caplog.at_level(logging.DEBUG):
        call_command("zatca_report", "--once", stdout=out, stderr=err)

    assert out.getvalue() == "ZATCA documents: rejected 1, reported 1, retry 1.\n"
    lines = [r.getMessage() for r in caplog.records if r.name == reporting.__name__]
    assert len(lines) == 3
    for document, outcome in zip(documents, ("reported", "rejected", "retry"), strict=True):
        assert any(
            line.startswith(f"ZATCA {document.number} ICV {document.icv}: {outcome}") for line in lines
        )
    written = out.getvalue() + err.getvalue() + caplog.text
    device.refresh_from_db()
    for secret in (
        device.production_token,
        decrypt(device.production_secret),
        device.production_secret,
        decrypt(device.private_key),
        "PRIVATE",
        base64.b64encode(bytes(documents[0].xml)).decode()[:40],
        "<Invoice",
    ):
        assert secret not in written


def test_the_command_refuses_a_limit_or_an_interval_of_zero():
    with pytest.raises(CommandError):
        call_command("zatca_report", "--once", "--limit", "0")
    with pytest.raises(CommandError):
        call_command("zatca_report", "--once", "--interval", "0")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_at_once_never_send_a_document_twice(device, fake):
    documents = issue(device, 12)

    def worker(index: int) -> dict[str, int]:
        total: dict[str, int] = {}
        while counts := reporting.run_once(limit=2):
            for label, count in counts.items():
                total[label] = total.get(label, 0) + count
        return total

    totals = values_of(run_together(4, worker))

    assert sum(total.get("reported", 0) for total in totals) == 12
    assert all(set(total) <= {"reported"} for total in totals)
    uuids = [r.body["uuid"] for r in fake.received]
    assert sorted(uuids) == sorted(str(d.uuid) for d in documents)  # each once
    assert {fresh(d).status for d in documents} == {"reported"}
    assert {d.attempts for d in documents} == {1}


def _command(*args: str) -> subprocess.Popen:
    """`manage.py zatca_report` in its own process, on the test database."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "ZATCA_TIMEOUT_SECONDS": "2",
        "LOG_LEVEL": "INFO",
    }
    root = Path(__file__).resolve().parents[3]
    return subprocess.Popen(
        [sys.executable, "manage.py", "zatca_report", *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(event, seconds: float = 30) -> None:
    assert event.wait(timeout=seconds), "the fake got no request"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_process_loses_nothing_and_reports_once(device, fake):
    (document,) = issue(device)
    fake.hold()
    worker = _command("--once")
    try:
        # The fake has the request; the worker is killed before the answer reaches it.
        _wait_for(fake.got_request)
        worker.kill()
        worker.wait(timeout=30)
    finally:
        fake.release()
    deadline = time.monotonic() + 5
    while not fake.accepted[document.hash] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fake.accepted[document.hash] == 1  # ZATCA has it
    document = fresh(document)
    assert (document.status, document.attempts) == ("pending", 1)

    # After the lease, another worker: ZATCA answers 409, the document is reported, once.
    assert reporting.run_once(now=document.next_attempt_at) == {"reported_earlier": 1}
    assert fresh(document).status == "reported"
    assert fake.accepted[document.hash] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sigterm_stops_the_worker_after_recording_the_current_document(device, fake):
    first, second = issue(device, 2)
    fake.hold()
    worker = _command("--interval", "0.2", "--limit", "1")
    try:
        _wait_for(fake.got_request)
        worker.send_signal(signal.SIGTERM)
        time.sleep(0.3)  # the signal lands while ZATCA has not answered yet
    finally:
        fake.release()
    out, err = worker.communicate(timeout=30)

    assert worker.returncode == 0, err
    assert (fresh(first).status, fresh(second).status) == ("reported", "pending")
    assert second.attempts == 0  # never claimed
    assert f"ZATCA {first.number} ICV {first.icv}: reported" in err
    assert out == "ZATCA documents: reported 1.\n"
    for secret in (device.production_token, decrypt(device.production_secret), "PRIVATE"):
        assert secret not in out + err
