"""The loop of a long-lived background process (`manage.py worker`, `manage.py zatca_report`): batches until
SIGTERM or SIGINT, the batch under way finishing first; `--once` runs one batch and exits (cron)."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
Batch = Callable[[Callable[[], bool]], dict[str, int]]  # run_batch(should_stop) -> counts per outcome


class PollingCommand(BaseCommand):
    """Subclasses call `poll` from `handle` with their batch; each batch with counts prints one line,
    `"<batch_label>: done 3, retry 1."`."""

    batch_label = "Batch"

    def poll(self, batch: Batch, *, once: bool, interval: float, limit: int, logger: logging.Logger) -> None:
        if interval <= 0 or limit <= 0:
            raise CommandError("--interval and --limit must be more than 0.")
        stop = threading.Event()
        previous = self._on_stop_signals(stop)
        try:
            while not stop.is_set():
                try:
                    counts = batch(stop.is_set)
                except Exception:
                    if once:
                        raise
                    # The database went away mid-batch: what was claimed comes back after its lease.
                    logger.exception("The %s batch failed; trying again in %ss", self.batch_label, interval)
                    counts = {}
                if counts:
                    summary = ", ".join(f"{label} {count}" for label, count in sorted(counts.items()))
                    self.stdout.write(f"{self.batch_label}: {summary}.")
                if once:
                    break
                close_old_connections()  # a long-lived process: no connection older than CONN_MAX_AGE, none broken
                handled = sum(count for label, count in counts.items() if label != "released")
                if handled < limit:  # a full batch: more may be due at once
                    stop.wait(interval)
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    @staticmethod
    def _on_stop_signals(stop: threading.Event) -> dict[int, Any]:
        """SIGTERM and SIGINT set `stop` (the batch's current item still finishes); the handlers they had."""
        if threading.current_thread() is not threading.main_thread():
            return {}  # signals reach the main thread only (a test calling the command from a thread)

        def on_signal(number: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {}
        for number in STOP_SIGNALS:
            previous[number] = signal.getsignal(number)
            signal.signal(number, on_signal)
        return previous
