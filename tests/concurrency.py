"""Real threads for the PostgreSQL race tests: each has its own connection, closed when it ends."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def run_together(count: int, work: Callable[[int], Any]) -> list[tuple[str, Any]]:
    """Runs `work(i)` in `count` threads released together by a barrier: ("ok", result) or ("error", exc)."""
    barrier = threading.Barrier(count)
    results: list[tuple[str, Any]] = [("missing", None)] * count

    def target(index: int) -> None:
        from django.db import connection

        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", work(index))
        except Exception as exc:
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results


def values_of(results: list[tuple[str, Any]]) -> list[Any]:
    """The results of threads that must all have succeeded."""
    failed = [value for kind, value in results if kind != "ok"]
    assert not failed, failed
    return [value for _kind, value in results]
