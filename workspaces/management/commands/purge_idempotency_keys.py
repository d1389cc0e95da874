from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from workspaces.models import IdempotencyRecord


class Command(BaseCommand):
    help = (
        "Deletes stored Idempotency-Key responses older than IDEMPOTENCY_KEY_TTL (24 h). `manage.py worker` runs "
        "it hourly with every other background task; run this by hand or from cron where no worker runs."
    )

    def handle(self, *args, **options) -> None:
        cutoff = timezone.now() - settings.IDEMPOTENCY_KEY_TTL
        deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} idempotency records older than {cutoff:%Y-%m-%d %H:%M} UTC.")
