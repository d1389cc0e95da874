"""Which database a query goes to (PRODUCT.md section 11): the primary for everything, a streaming replica for the
reads that tolerate a moment's lag, when one is configured (`DATABASE_REPLICA_URL`, alias `replica`).

A read goes to the replica only when all of these hold, else to the primary:

- the code serving it said so: an API list, report or export (`workspaces.api.replica.replica_reads`), the admin's
  lists and dashboard (`workspaces.admin_base`), each for the span of its own work (`replica_allowed`);
- the request has written nothing (an unsafe method, or any query routed for writing, locked reads included);
- the client has not written within `DATABASE_READ_YOUR_WRITES_SECONDS` (a mark in the shared cache, by principal,
  set when a request that wrote ends: `client_wrote`), so what it just wrote is what it reads, whatever server
  and replica lag;
- no transaction is open on the primary (a read inside a write's transaction is part of it);
- the replica did not fail in this process within the last `REPLICA_RETRY_AFTER` seconds: a read it fails is run
  again on the primary (`replica_allowed` callers do that), so reports go on being served while it is down.

Without a replica every query is the primary's and nothing here costs a cache read.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
REPLICA_RETRY_AFTER = 5.0  # seconds a process keeps its reads on the primary after the replica failed one
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class RequestRouting:
    """What the router knows of the request being served."""

    wrote: bool = False
    replica: bool = False  # reads may go to the replica now
    used_replica: bool = False  # some read went there


_current: contextvars.ContextVar[RequestRouting | None] = contextvars.ContextVar("routing", default=None)
_replica_failed_at: float | None = None


def replica_configured() -> bool:
    return settings.DATABASE_REPLICA_READS and REPLICA in settings.DATABASES


def _replica_healthy() -> bool:
    return _replica_failed_at is None or time.monotonic() - _replica_failed_at > REPLICA_RETRY_AFTER


def replica_failed() -> None:
    """The replica failed a read: this process keeps its reads on the primary for a while, and drops the broken
    connection (the next use after that reconnects)."""
    global _replica_failed_at
    _replica_failed_at = time.monotonic()
    logger.warning("The replica failed a read; reads go to the primary for %ss", REPLICA_RETRY_AFTER)
    try:
        connections[REPLICA].close()
    except Exception:  # a connection that died may fail to close; it is gone either way
        logger.debug("closing the replica's connection failed", exc_info=True)


class PrimaryReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str:
        state = _current.get()
        if (
            state is None
            or not state.replica
            or state.wrote
            or connections[PRIMARY].in_atomic_block
            or not _replica_healthy()
        ):
            return PRIMARY
        state.used_replica = True
        return REPLICA

    def db_for_write(self, model: Any, **hints: Any) -> str:
        state = _current.get()
        if state is not None:
            state.wrote = True
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


def _pin_key(principal: str) -> str:
    return f"routing:wrote:{principal}"


def client_wrote(principal: str) -> None:
    """The client `principal` (`workspaces.tenancy.principal_key`) just wrote: its reads stay on the primary for
    `DATABASE_READ_YOUR_WRITES_SECONDS`. A cache that is down costs the mark, never the write's answer (its reads
    then stay on the primary while the cache cannot be read: `client_recently_wrote`)."""
    try:
        cache.set(_pin_key(principal), 1, timeout=settings.DATABASE_READ_YOUR_WRITES_SECONDS)
    except Exception:
        logger.warning("The cache refused a read-your-writes mark", exc_info=True)


def client_recently_wrote(principal: str) -> bool:
    """Whether the client wrote within the last few seconds; when the cache cannot say, it did."""
    try:
        return cache.get(_pin_key(principal)) is not None
    except Exception:
        logger.warning("The cache could not be read for a read-your-writes mark", exc_info=True)
        return True


@contextmanager
def request_routing(method: str) -> Iterator[RequestRouting]:
    """The routing state of one request (`RoutingMiddleware`); an unsafe method counts as a write from the start."""
    state = RequestRouting(wrote=method in UNSAFE_METHODS)
    token = _current.set(state)
    try:
        yield state
    finally:
        _current.reset(token)


@contextmanager
def replica_allowed(principal: str | None) -> Iterator[RequestRouting | None]:
    """Within it, the reads of a request that has not written may go to the replica (see the module's rules).
    Yields the state (None when the replica is not in play); `state.used_replica` tells the caller whether a
    failure may be the replica's, to run its work again on the primary after `replica_failed()`."""
    state = _current.get()
    if (
        state is None
        or state.wrote
        or not replica_configured()
        or not _replica_healthy()
        or (principal is not None and client_recently_wrote(principal))
    ):
        yield None
        return
    state.replica, state.used_replica = True, False
    try:
        yield state
    finally:
        state.replica = False


def served_from_replica(principal: str | None, serve: Callable[[], Any], *, render: bool = False) -> Any:
    """`serve()` (a view's work, returning a response) with its reads allowed on the replica. A failure of a read
    the replica served runs `serve()` again on the primary. With `render`, a template response (the admin's) is
    rendered within; a streaming one (an export) reads from the replica as it streams."""
    with replica_allowed(principal) as state:
        if state is None:
            return serve()
        try:
            response = serve()
            if render and not getattr(response, "is_rendered", True):
                response.render()
        except (OperationalError, InterfaceError):
            if not state.used_replica:
                raise
            replica_failed()
        else:
            if getattr(response, "streaming", False):
                response.streaming_content = _streamed_from_replica(response.streaming_content)
            return response
    return serve()


def _streamed_from_replica(chunks: Iterable[Any]) -> Iterator[Any]:
    """A streaming body whose reads run on the replica, one step at a time (it is consumed after the view and the
    middleware returned). A replica that fails mid-stream breaks that download; the next is the primary's."""
    state = RequestRouting(replica=True)
    iterator = iter(chunks)
    while True:
        token = _current.set(state)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        except (OperationalError, InterfaceError):
            if state.used_replica:
                replica_failed()
            raise
        finally:
            _current.reset(token)
        yield chunk


class RoutingMiddleware:
    """Keeps the request's routing state, and after a request that wrote marks its client as having written (the
    client's reads then stay on the primary for a few seconds, on every server)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if not replica_configured():
            return self.get_response(request)
        with request_routing(request.method) as state:
            response = self.get_response(request)
            if state.wrote:
                principal = request_principal_of(request)
                if principal is not None:
                    client_wrote(principal)
        return response


def request_principal_of(request: Any) -> str | None:
    """The principal of a request that authenticated (an API user or key, an admin user), else None."""
    from workspaces.tenancy import principal_key

    user = getattr(request, "user", None)
    api_key = getattr(user, "api_key", None)  # a workspace API key's principal (workspaces.authentication)
    if api_key is not None:
        return principal_key(user=None, api_key=api_key)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return principal_key(user=user, api_key=None)
