"""`manage.py worker`: the background worker of PRODUCT.md section 11, on as many machines as wanted: each task is
run by one of them (`workspaces.tasks.worker`). It runs every task of `settings.TASK_MODULES`: the ZATCA outbox,
the upload clean-up, the idempotency-key and task-row purges."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from workspaces.tasks import worker
from workspaces.tasks.registry import registered

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Command(BaseCommand):
    help = (
        "Runs the background tasks (ZATCA reporting and clearance, upload clean-up, purges of idempotency keys "
        "and old task rows) from the task queue in the database. Start one on each machine that should do "
        "background work: no task is run by two workers at once. Runs until SIGTERM or SIGINT (the task being run "
        "finishes first), polling every --interval seconds; --once runs what is due and exits. Prints one line "
        "per batch with its counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due now, then exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            metavar="SECONDS",
            help="Seconds between polls when nothing was due (default 1).",
        )
        parser.add_argument("--limit", type=int, default=20, help="Tasks claimed per batch (default 20).")
        parser.add_argument(
            "--task",
            action="append",
            dest="names",
            metavar="NAME",
            help="Run only this task (repeatable), e.g. for a worker dedicated to ZATCA.",
        )

    def handle(
        self, *args: Any, once: bool, interval: float, limit: int, names: list[str] | None, **options: Any
    ) -> None:
        if interval <= 0 or limit <= 0:
            raise CommandError("--interval and --limit must be more than 0.")
        unknown = sorted(set(names or ()) - set(registered()))
        if unknown:
            raise CommandError(f"No task is registered as {', '.join(unknown)}.")
        worker_id = worker.default_worker_id()
        stop = threading.Event()
        previous = self._on_stop_signals(stop)
        try:
            while not stop.is_set():
                try:
                    counts = worker.run_once(
                        limit=limit, worker_id=worker_id, names=names, should_stop=stop.is_set
                    )
                except Exception:
                    if once:
                        raise
                    # The database went away mid-batch: what was claimed comes back after its lease.
                    worker.logger.exception("The worker's batch failed; trying again in %ss", interval)
                    counts = {}
                if counts:
                    summary = ", ".join(f"{label} {count}" for label, count in sorted(counts.items()))
                    self.stdout.write(f"Tasks: {summary}.")
                if once:
                    break
                close_old_connections()  # a long-lived process: no connection older than CONN_MAX_AGE, none broken
                handled = sum(count for label, count in counts.items() if label != "released")
                if handled < limit:  # a full batch: more may be due at once
                    stop.wait(interval)
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _on_stop_signals(self, stop: threading.Event) -> dict[int, Any]:
        """SIGTERM and SIGINT set `stop` (the current task still finishes); the handlers they had."""
        if threading.current_thread() is not threading.main_thread():
            return {}  # signals reach the main thread only (a test calling the command from a thread)

        def on_signal(number: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {}
        for number in STOP_SIGNALS:
            previous[number] = signal.getsignal(number)
            signal.signal(number, on_signal)
        return previous
