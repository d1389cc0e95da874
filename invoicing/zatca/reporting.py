"""The ZATCA worker (PRODUCT.md sections 8b and 8c): the outbox of signed documents sent to ZATCA, each answer
recorded once, no document lost whatever crashes.

The outbox is the `ZatcaDocument` rows with `status = pending`; one is due when `next_attempt_at <= now`. A worker:

1. **claims** a batch in one short transaction: the due documents, oldest first (`FOR UPDATE SKIP LOCKED` on
   PostgreSQL, so workers on several machines never take the same one; SQLite's write lock serialises claims),
   each given `attempts + 1` and a lease (`next_attempt_at = now + lease`). It commits before any network call:
   no lock is held while ZATCA answers.
2. **sends** each document with its device's production CSID: a simplified one to reporting, a standard one to
   clearance.
3. **records** ZATCA's answer in one short transaction, `UPDATE ... WHERE pk AND status = 'pending'` (a retry also
   `AND attempts` = the claim's): a late worker never overwrites what another recorded.

A worker that dies between 2 and 3 leaves the document pending under its lease; when the lease ends another worker
sends it again and ZATCA answers 409 (`REPORTED_SUCCESSFULLY_EARLIER`), recorded as reported: nothing is reported
twice, nothing is lost. Network errors, 429 and 5xx (and any answer ZATCA does not document) stay pending with an
exponential backoff: 30 s x 2^(attempts - 1), at most an hour, plus up to 10 % jitter so workers spread out.
Logs name a document by its number and ICV, never a token, a secret or the XML.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import F
from django.utils import timezone

from invoicing.zatca.chain import decrypt
from invoicing.zatca.gateway import Answer, Credentials, Gateway, gateway_for, submission
from invoicing.zatca.models import ZatcaDevice, ZatcaDocument

logger = logging.getLogger(__name__)

Status = ZatcaDocument.Status
LEASE = dt.timedelta(minutes=2)
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=1)
BACKOFF_JITTER = 0.1  # up to 10 % more, at random
MAX_MESSAGES = 100  # ZATCA's errors or warnings kept per document


def lease_duration() -> dt.timedelta:
    """How long a claimed document is the claiming worker's: 2 minutes, or 3 network timeouts if longer."""
    return max(LEASE, dt.timedelta(seconds=3 * settings.ZATCA_TIMEOUT_SECONDS))


def backoff(attempts: int, *, jitter: float | None = None) -> dt.timedelta:
    """The wait after a failed attempt: 30 s x 2^(attempts - 1), at most an hour, then `jitter` (a fraction in
    [0, 1); random when None) of `BACKOFF_JITTER` more."""
    exponent = min(max(attempts, 1) - 1, 20)  # 2^20 x 30 s is far past the cap
    delay = min(BACKOFF_FIRST * 2**exponent, BACKOFF_CAP)
    fraction = random.random() if jitter is None else jitter
    return delay * (1 + BACKOFF_JITTER * fraction)


@dataclass(frozen=True)
class Outcome:
    """What an answer means for a document: the status to record (`pending`: try again), and its label."""

    label: str  # reported, reported_earlier, reported_with_warnings, cleared..., rejected, retry
    status: str
    errors: list[Any] = field(default_factory=list)
    warnings: list[Any] = field(default_factory=list)
    last_error: str = ""
    cleared_xml: bytes | None = None  # a clearance's `clearedInvoice`: ZATCA's stamped XML, the buyer's copy

    @property
    def retry(self) -> bool:
        return self.status == Status.PENDING

    @property
    def accepted(self) -> bool:
        return self.status in (
            Status.REPORTED,
            Status.REPORTED_WITH_WARNINGS,
            Status.CLEARED,
            Status.CLEARED_WITH_WARNINGS,
        )


def _messages(body: dict[str, Any], name: str) -> list[Any]:
    results = body.get("validationResults")
    messages = results.get(name) if isinstance(results, dict) else None
    return list(messages[:MAX_MESSAGES]) if isinstance(messages, list) else []


def _detail(body: dict[str, Any]) -> str:
    for name in ("errorMessage", "message", "error", "reportingStatus", "clearanceStatus"):
        if body.get(name):
            return str(body[name])
    return ""


def _cleared_xml(body: dict[str, Any]) -> bytes | None:
    try:
        return base64.b64decode(body["clearedInvoice"], validate=True) if body.get("clearedInvoice") else None
    except (ValueError, TypeError):
        return None


def _retry(reason: str) -> Outcome:
    return Outcome("retry", Status.PENDING, last_error=reason[:500])


def outcome_of(kind: str, answer: Answer) -> Outcome:
    """ZATCA's answer to a report (`kind` simplified) or a clearance (standard): 200 reported or cleared; 202 the
    same with ZATCA's warnings kept; 409, ZATCA's answer to a document it already has, reported or cleared (an
    earlier attempt got through and its answer was lost); 400 rejected with ZATCA's errors kept; no answer, 429,
    5xx and any other status: pending, to be tried again."""
    cleared = kind == ZatcaDocument.Kind.STANDARD
    done, with_warnings = (
        (Status.CLEARED, Status.CLEARED_WITH_WARNINGS)
        if cleared
        else (Status.REPORTED, Status.REPORTED_WITH_WARNINGS)
    )
    status, body = answer.status, answer.body
    warnings = _messages(body, "warningMessages")
    cleared_xml = _cleared_xml(body) if cleared else None
    if status == 200:
        return Outcome(str(done), done, warnings=warnings, cleared_xml=cleared_xml)
    if status == 202:
        return Outcome(str(with_warnings), with_warnings, warnings=warnings, cleared_xml=cleared_xml)
    if status == 409:
        return Outcome(f"{done}_earlier", done, warnings=warnings)
    if status == 400:
        errors = _messages(body, "errorMessages")
        if not errors and _detail(body):
            errors = [{"code": str(body.get("errorCode") or ""), "message": _detail(body)[:500]}]
        return Outcome(
            "rejected",
            Status.REJECTED,
            errors=errors,
            warnings=warnings,
            last_error=f"HTTP 400 {_detail(body)}".strip()[:500],
        )
    if status == 0:
        return _retry(f"no answer: {_detail(body)}")
    if status == 429 or 500 <= status < 600:
        return _retry(f"HTTP {status} {_detail(body)}".strip())
    return _retry(
        f"HTTP {status}, an answer ZATCA does not document here; tried again: {_detail(body)}".strip()
    )


def _primary() -> str:
    """The database the outbox is written in; the worker reads there too (a read replica may lag behind)."""
    return router.db_for_write(ZatcaDocument)


def claim(*, limit: int, now: dt.datetime, lease: dt.timedelta) -> list[ZatcaDocument]:
    """Takes up to `limit` due pending documents, oldest first, for this worker (see the module's docstring):
    `attempts + 1`, `next_attempt_at = now + lease`, committed before it returns. With their devices."""
    database = _primary()
    outbox = ZatcaDocument.objects.using(database)
    with transaction.atomic(using=database):
        due = outbox.filter(status=Status.PENDING, next_attempt_at__lte=now).order_by("next_attempt_at", "pk")
        if connections[database].features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        outbox.filter(pk__in=ids).update(attempts=F("attempts") + 1, next_attempt_at=now + lease)
        order = {pk: index for index, pk in enumerate(ids)}
        documents = list(outbox.filter(pk__in=ids).select_related("device"))
    return sorted(documents, key=lambda document: order[document.pk])


def record(document: ZatcaDocument, outcome: Outcome, *, now: dt.datetime) -> bool:
    """Writes `outcome` on `document` (as claimed) if it is still pending, and, for a retry, still this claim's,
    and on the instance too: False when another worker recorded it first (nothing is written then). One UPDATE:
    its own short transaction."""
    rows = ZatcaDocument.objects.using(_primary()).filter(pk=document.pk, status=Status.PENDING)
    if outcome.retry:
        rows = rows.filter(attempts=document.attempts)
        fields: dict[str, Any] = {
            "last_error": outcome.last_error,
            "next_attempt_at": now + backoff(document.attempts),
        }
    else:
        fields = {
            "status": outcome.status,
            "errors": outcome.errors,
            "warnings": outcome.warnings,
            "last_error": outcome.last_error,
            "next_attempt_at": None,
            "reported_at": now if outcome.accepted else None,
        }
        if outcome.cleared_xml:
            fields["cleared_xml"] = outcome.cleared_xml
    written = rows.update(**fields) == 1
    if written:
        for name, value in fields.items():
            setattr(document, name, value)
    return written


def release(documents: Sequence[ZatcaDocument], *, now: dt.datetime) -> int:
    """Gives back claimed documents that were not sent (a stop, a lease about to end): due now, the attempt not
    counted. The number given back."""
    database, released = _primary(), 0
    with transaction.atomic(using=database):
        for document in documents:
            released += (
                ZatcaDocument.objects.using(database)
                .filter(pk=document.pk, status=Status.PENDING, attempts=document.attempts)
                .update(attempts=F("attempts") - 1, next_attempt_at=now)
            )
    return released


def _gateway_of(device: ZatcaDevice) -> tuple[Gateway, Credentials]:
    if not device.production_token or not device.production_secret:
        raise ValueError("the device has no production CSID")
    gateway = gateway_for(device.environment, device.base_url, timeout=settings.ZATCA_TIMEOUT_SECONDS)
    return gateway, Credentials(device.production_token, decrypt(device.production_secret))


def send(document: ZatcaDocument, gateways: dict[int, tuple[Gateway, Credentials]]) -> Outcome:
    """Sends `document` (claimed) to ZATCA: reporting, or clearance for a standard one. `gateways` keeps each
    device's gateway and credentials for the batch. Never raises: a failure here is an outcome to retry."""
    try:
        if document.device_id not in gateways:
            gateways[document.device_id] = _gateway_of(document.device)
        gateway, credentials = gateways[document.device_id]
        body = submission(bytes(document.xml), uuid=str(document.uuid), hash_b64=document.hash)
        if document.kind == ZatcaDocument.Kind.STANDARD:
            answer = gateway.clear(credentials, body)
        else:
            answer = gateway.report(credentials, body)
    except Exception as error:  # a broken device row or secret: the document waits, the others go on
        logger.exception("ZATCA %s ICV %s could not be sent", document.number, document.icv)
        return _retry(f"not sent: {type(error).__name__}: {error}")
    return outcome_of(document.kind, answer)


def _log(document: ZatcaDocument, outcome: Outcome, recorded: bool) -> None:
    if not recorded:
        logger.info(
            "ZATCA %s ICV %s: %s, but another worker recorded it first (kept as it is)",
            document.number,
            document.icv,
            outcome.label,
        )
    elif outcome.retry:
        logger.warning(
            "ZATCA %s ICV %s: retry (attempt %s: %s), next after %s",
            document.number,
            document.icv,
            document.attempts,
            outcome.last_error,
            document.next_attempt_at.isoformat(timespec="seconds") if document.next_attempt_at else "-",
        )
    else:
        logger.info(
            "ZATCA %s ICV %s: %s (attempt %s, %s errors, %s warnings)",
            document.number,
            document.icv,
            outcome.label,
            document.attempts,
            len(outcome.errors),
            len(outcome.warnings),
        )


def run_once(
    *, limit: int = 50, now: dt.datetime | None = None, should_stop: Callable[[], bool] | None = None
) -> dict[str, int]:
    """Claims up to `limit` due documents, sends each and records each answer; the counts per outcome (`retry`,
    `stale` when another worker recorded first, `released` for documents given back unsent). Stops early, giving
    the rest back, when `should_stop()` says so or a document's lease would end before ZATCA could answer.
    `now` fixes the clock (tests); by default each step reads the time."""

    def clock() -> dt.datetime:
        return now if now is not None else timezone.now()

    claimed = claim(limit=limit, now=clock(), lease=lease_duration())
    counts: Counter[str] = Counter()
    gateways: dict[int, tuple[Gateway, Credentials]] = {}
    answer_within = dt.timedelta(seconds=settings.ZATCA_TIMEOUT_SECONDS)
    for index, document in enumerate(claimed):
        if (should_stop is not None and should_stop()) or clock() + answer_within > document.next_attempt_at:
            counts["released"] += release(claimed[index:], now=clock())
            break
        outcome = send(document, gateways)
        recorded = record(document, outcome, now=clock())
        counts[outcome.label if recorded else "stale"] += 1
        _log(document, outcome, recorded)
    return dict(counts)


def settle_now(document_id: int, *, now: dt.datetime | None = None) -> ZatcaDocument | None:
    """Clears (or reports) one document at once, as the request that issued it does after its transaction
    committed (section 8c: synchronous clearance): claimed like the worker claims (a worker that holds it already
    wins: None), sent, recorded. A failure leaves it pending for the worker, with its backoff."""
    moment = now or timezone.now()
    database = _primary()
    with transaction.atomic(using=database):
        claimed = (
            ZatcaDocument.objects.using(database)
            .filter(pk=document_id, status=Status.PENDING, next_attempt_at__lte=moment)
            .update(attempts=F("attempts") + 1, next_attempt_at=moment + lease_duration())
        )
    if not claimed:
        return None
    document = ZatcaDocument.objects.using(database).select_related("device").get(pk=document_id)
    outcome = send(document, {})
    recorded = record(document, outcome, now=now or timezone.now())
    _log(document, outcome, recorded)
    return document
