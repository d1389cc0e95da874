"""One transaction per write, without savepoints that nothing rolls back to.

`transaction.atomic` nested in another takes a savepoint (two statements, SAVEPOINT and RELEASE) so that the caller
may catch the inner block's error and go on. A service that lets every error out needs none below it: the whole
transaction is rolled back anyway. `atomic` is `transaction.atomic` for services: the outermost one opens the
transaction (or, inside a caller's, its savepoint: the admin catches a refusal and renders the form again), and the
services it calls join that block without a savepoint. `all_or_nothing` is that outermost block for a caller that
rolls everything back on any refusal (an API request with an `Idempotency-Key`).

A block that catches an error and goes on (an `IntegrityError` of a concurrent insert) keeps its own
`transaction.atomic()`, which always takes its savepoint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import DEFAULT_DB_ALIAS, transaction

P = ParamSpec("P")
R = TypeVar("R")

_JOINED = "all_or_nothing"  # set on the connection while inside an all-or-nothing block


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """A transaction (or savepoint) in which any error rolls everything back: the services inside take none."""
    connection = transaction.get_connection(DEFAULT_DB_ALIAS)
    joined = getattr(connection, _JOINED, False)
    with transaction.atomic(savepoint=not joined):
        setattr(connection, _JOINED, True)
        try:
            yield
        finally:
            setattr(connection, _JOINED, joined)


def atomic(func: Callable[P, R]) -> Callable[P, R]:
    """A service's transaction (`transaction.atomic`), joined without a savepoint when its caller's block rolls
    everything back (`all_or_nothing`)."""

    @wraps(func)
    def inner(*args: P.args, **kwargs: P.kwargs) -> R:
        with all_or_nothing():
            return func(*args, **kwargs)

    return inner
