"""`manage.py zatca_report`: the ZATCA worker (PRODUCT.md section 8b), a long-lived process or, with --once, a cron
job. Several may run at once, on several machines: each document is claimed by one (`invoicing.zatca.reporting`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from invoicing.zatca import reporting
from workspaces.tasks.polling import PollingCommand


class Command(PollingCommand):
    batch_label = "ZATCA documents"

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
        self.poll(
            lambda should_stop: reporting.run_once(limit=limit, should_stop=should_stop),
            once=once,
            interval=interval,
            limit=limit,
            logger=reporting.logger,
        )
