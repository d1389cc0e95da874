from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from workspaces.tasks.builtin import idempotency_keys_purge


class Command(BaseCommand):
    help = (
        "Deletes stored Idempotency-Key responses older than IDEMPOTENCY_KEY_TTL (24 h). `manage.py worker` runs "
        "it hourly with every other background task; run this by hand or from cron where no worker runs."
    )

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        deleted = idempotency_keys_purge(now=now)
        cutoff = now - settings.IDEMPOTENCY_KEY_TTL
        self.stdout.write(f"Deleted {deleted} idempotency records older than {cutoff:%Y-%m-%d %H:%M} UTC.")
