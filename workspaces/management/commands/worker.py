"""`manage.py worker`: the background worker of PRODUCT.md section 11, on as many machines as wanted: each task is
run by one of them (`workspaces.tasks.worker`). It runs every task of `settings.TASK_MODULES`: the ZATCA outbox,
the upload clean-up, the idempotency-key and task-row purges."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from workspaces.tasks import worker
from workspaces.tasks.polling import PollingCommand
from workspaces.tasks.registry import registered


class Command(PollingCommand):
    batch_label = "Tasks"

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
        unknown = sorted(set(names or ()) - set(registered()))
        if unknown:
            raise CommandError(f"No task is registered as {', '.join(unknown)}.")
        worker_id = worker.default_worker_id()
        self.poll(
            lambda should_stop: worker.run_once(
                limit=limit, worker_id=worker_id, names=names, should_stop=should_stop
            ),
            once=once,
            interval=interval,
            limit=limit,
            logger=worker.logger,
        )
