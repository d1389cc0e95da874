"""`Idempotency-Key` on POST (PRODUCT.md section 2, "Retries").

The key is bound to the principal, the method, the path and a fingerprint of the body. A 2xx response is stored
in the same database transaction as the work it answers, so the work and its record commit or vanish together.
The same key and fingerprint within the TTL replays the stored response; another fingerprint is a 422. A refused
request stores nothing (its transaction is rolled back). On PostgreSQL, a second request while the first is still
running is a 409 with `Retry-After: 1` (a transaction-scoped advisory lock on the key's hash); on SQLite the
IMMEDIATE transaction makes it wait, and it then replays.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.request import Request

from workspaces.api.renderers import dumps
from workspaces.errors import ApplicationError, ConflictError, ValidationFailed
from workspaces.models import IdempotencyRecord
from workspaces.statements import insert

MAX_KEY_LENGTH = 255
REPLAY_HEADER = "Idempotent-Replayed"


class Replay(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


@dataclass
class Pending:
    key: str
    principal: str = ""
    fingerprint: str = ""
    active: bool = False
    replayed: bool = False
    extra: dict = field(default_factory=dict)


def body_fingerprint(request: Request) -> str:
    """SHA-256 of the canonical JSON of the parsed body; for multipart, of its fields and each file's SHA-256."""
    data = request.data
    if request.content_type.startswith("multipart/"):
        files = {}
        for name, upload in request.FILES.items():
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            files[name] = digest.hexdigest()
        fields = {key: data.getlist(key) for key in data if key not in request.FILES}
        canonical = json.dumps({"fields": fields, "files": files}, sort_keys=True, ensure_ascii=False)
    else:
        canonical = _canonical(data)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical(value) -> str:
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{_canonical(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    return dumps(value)


def header_text(raw: str) -> str:
    """A header as the client wrote it: WSGI hands headers over as Latin-1, so UTF-8 text (an Arabic key) is
    read back as UTF-8 and counted in characters."""
    try:
        return raw.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return raw


def bound_path(path: str) -> str:
    """The path a key is bound to: `/api/v1/...` is `/v1/...`; api2's doubled prefix is `/api2/...` and its `.json`
    suffix is optional (`/api2/invoices.json` is `/api2/invoices`)."""
    if path.startswith("/api/v1/"):
        return path[len("/api") :]
    if path.startswith("/api2/api2/"):
        path = path[len("/api2") :]
    if path.startswith("/api2/") and path.endswith(".json"):
        return path[: -len(".json")]
    return path


def _advisory_lock_id(principal: str, key: str) -> int:
    digest = hashlib.sha256(f"{principal}\x00{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


_RECORD_COLUMNS = ("id", "method", "path", "fingerprint", "status_code", "content_type", "body", "created_at")
_LOCK_AND_READ = (
    "SELECT pg_try_advisory_xact_lock(%s), {columns} FROM (SELECT 1) AS one"
    " LEFT JOIN {table} AS r ON r.principal = %s AND r.key = %s"
).format(columns=", ".join(f"r.{name}" for name in _RECORD_COLUMNS), table=IdempotencyRecord._meta.db_table)


def _locked_record(principal: str, key: str) -> IdempotencyRecord | None:
    """The key's record, if any. On PostgreSQL the key's advisory lock is taken in the same statement (a 409
    while another request holds it). The statement reads the record as it was when it began, so a request that
    committed the same key in between is caught by the record's unique constraint instead (`finish`)."""
    if connection.vendor != "postgresql":
        return IdempotencyRecord.objects.filter(principal=principal, key=key).first()
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_AND_READ, [_advisory_lock_id(principal, key), principal, key])
        locked, *values = cursor.fetchone()
    if not locked:
        raise ConflictError(
            _("A request with this Idempotency-Key is still being processed."),
            code="idempotency_in_progress",
            headers={"Retry-After": "1"},
        )
    if values[0] is None:
        return None
    return IdempotencyRecord(principal=principal, key=key, **dict(zip(_RECORD_COLUMNS, values, strict=True)))


def replay_of(pending: Pending, request: Request) -> HttpResponse | None:
    """The stored answer to the pending key when a concurrent request with the same key committed first (None:
    there is none); another request under the key is `idempotency_key_reused`."""
    if not pending.active:
        return None
    record = IdempotencyRecord.objects.filter(principal=pending.principal, key=pending.key).first()
    if record is None:
        return None
    _check_same_request(record, pending, request)
    return _replayed(record)


def _check_same_request(record: IdempotencyRecord, pending: Pending, request: Request) -> None:
    if (record.method, record.path, record.fingerprint) != (
        request.method,
        bound_path(request.path),
        pending.fingerprint,
    ):
        raise ApplicationError(
            _("This Idempotency-Key was used with another request."), code="idempotency_key_reused"
        )


def _replayed(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status_code, content_type=record.content_type)
    response[REPLAY_HEADER] = "true"
    return response


def begin(pending: Pending, request: Request, principal: str) -> None:
    """Runs after authentication, inside the request's transaction: replay, refuse, or let the work run."""
    key = pending.key
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed({"Idempotency-Key": [_("Must be 1 to 255 characters.")]})
    pending.principal = principal
    pending.fingerprint = body_fingerprint(request)
    record = _locked_record(principal, key)
    if record is not None and record.created_at < timezone.now() - settings.IDEMPOTENCY_KEY_TTL:
        record.delete()
        record = None
    if record is not None:
        _check_same_request(record, pending, request)
        pending.replayed = True
        raise Replay(_replayed(record))
    pending.active = True


def finish(pending: Pending, request: Request, response: HttpResponse) -> None:
    """Stores a 2xx answer with its work; anything else rolls the work back and stores nothing."""
    if not pending.active:
        return
    if not 200 <= response.status_code < 300 or getattr(response, "streaming", False):
        transaction.set_rollback(True)
        return
    response.render()
    insert(
        IdempotencyRecord(
            principal=pending.principal,
            key=pending.key,
            method=request.method,
            path=bound_path(request.path),
            fingerprint=pending.fingerprint,
            status_code=response.status_code,
            content_type=response.get("Content-Type", "application/json"),
            body=bytes(response.content),
        )
    )
