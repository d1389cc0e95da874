"""`manage.py cleanup_uploads`: removes the uploads no invoice named in time; run it from cron (docs/SECURITY.md)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suppliers.services.images import invoice_files_cleanup


class Command(BaseCommand):
    help = (
        "Removes the scanned supplier invoices (file and record) that no invoice named within --older-than hours "
        "of their upload (default 24). --dry-run lists them and removes nothing. `manage.py worker` runs it hourly with every other "
        "background task; run this by hand or from cron where no worker runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=float,
            default=24.0,
            metavar="HOURS",
            help="Remove uploads not attached this many hours after they were stored (default 24).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be removed; remove nothing."
        )

    def handle(self, *args, older_than: float, dry_run: bool, **options) -> None:
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more hours.")
        removed = invoice_files_cleanup(older_than=dt.timedelta(hours=older_than), dry_run=dry_run)
        verb = "Would remove" if dry_run else "Removed"
        for file in removed:
            stored = f"{file.created_at:%Y-%m-%d %H:%M} UTC"
            self.stdout.write(
                f"{verb} {file.name} (workspace {file.workspace_id}, {file.size} bytes, stored {stored})"
            )
        total = sum(file.size for file in removed)
        self.stdout.write(
            f"{verb} {len(removed)} unattached upload(s), {total} bytes, older than {older_than:g} hours."
        )
