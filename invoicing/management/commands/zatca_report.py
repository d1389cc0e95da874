"""`manage.py zatca_report`: the ZATCA worker (PRODUCT.md section 8b), a long-lived process or, with --once, a cron
job. Several may run at once, on several machines: each document is claimed by one (`invoicing.zatca.reporting`)."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from invoicing.zatca import reporting

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Command(BaseCommand):
    help = (
        "Sends the signed documents waiting in the ZATCA outbox (reporting; clearance for standard invoices) and "
        "records ZATCA's answers, retrying with backoff on network errors, 429 and 5xx. Runs until SIGTERM or "
        "SIGINT (the document being sent is recorded first), polling every --interval seconds; --once sends what "
        "is due and exits (cron). Logs one line per document: its number, ICV and outcome. `manage.py worker` runs "
        "this with every other background task; this command runs the ZATCA outbox alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Send what is due now, then exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=5.0,
            metavar="SECONDS",
            help="Seconds between polls when nothing was due (default 5).",
        )
        parser.add_argument("--limit", type=int, default=50, help="Documents claimed per batch (default 50).")

    def handle(self, *args: Any, once: bool, interval: float, limit: int, **options: Any) -> None:
        if interval <= 0 or limit <= 0:
            raise CommandError("--interval and --limit must be more than 0.")
        stop = threading.Event()
        previous = self._on_stop_signals(stop)
        try:
            while not stop.is_set():
                try:
                    counts = reporting.run_once(limit=limit, should_stop=stop.is_set)
                except Exception:
                    if once:
                        raise
                    # The database went away mid-batch: what was claimed comes back after its lease.
                    reporting.logger.exception(
                        "The ZATCA worker's batch failed; trying again in %ss", interval
                    )
                    counts = {}
                if counts:
                    summary = ", ".join(f"{label} {count}" for label, count in sorted(counts.items()))
                    self.stdout.write(f"ZATCA documents: {summary}.")
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
        """SIGTERM and SIGINT set `stop` (the current document is still recorded); the handlers they had."""
        if threading.current_thread() is not threading.main_thread():
            return {}  # signals reach the main thread only (a test calling the command from a thread)

        def on_signal(number: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {}
        for number in STOP_SIGNALS:
            previous[number] = signal.getsignal(number)
            signal.signal(number, on_signal)
        return previous
