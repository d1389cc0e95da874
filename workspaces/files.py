"""Files stored through Django's storage API as part of a request's work (a scanned invoice, ...).

A file is not a database row: a rolled-back transaction does not take it back. `store_file` records what it wrote
in the request's `stored_files` scope, and the scope removes those files again unless the request succeeded and
its transaction committed, so failed work leaves nothing behind in storage.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.core.files.base import File
from django.core.files.storage import default_storage

_scope: ContextVar[StoredFiles | None] = ContextVar("stored_files", default=None)


@dataclass
class StoredFiles:
    names: list[str] = field(default_factory=list)
    keep: bool = False


def store_file(name: str, content: File) -> str:
    """Saves `content` under `name` (or a free name near it) and returns the name stored."""
    stored = default_storage.save(name, content)
    scope = _scope.get()
    if scope is not None:
        scope.names.append(stored)
    return stored


@contextmanager
def stored_files() -> Iterator[StoredFiles]:
    """Set `.keep = True` once the work has succeeded (after its commit); otherwise the files go again."""
    scope = StoredFiles()
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)
        if not scope.keep:
            for name in scope.names:
                default_storage.delete(name)
