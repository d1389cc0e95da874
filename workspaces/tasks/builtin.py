"""The workspaces app's own periodic tasks: the housekeeping that used to be a cron job each."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from workspaces.models import IdempotencyRecord
from workspaces.tasks.models import Task
from workspaces.tasks.registry import MORE, task, task_database

logger = logging.getLogger(__name__)

KEEP_DONE = dt.timedelta(days=7)  # failed rows stay until someone has read them
PURGE_BATCH = 10_000  # rows deleted per statement: a short transaction however long the queue was left alone


def idempotency_keys_purge(*, now: dt.datetime | None = None) -> int:
    """Deletes the stored Idempotency-Key responses older than `IDEMPOTENCY_KEY_TTL`; how many."""
    cutoff = (now or timezone.now()) - settings.IDEMPOTENCY_KEY_TTL
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def done_tasks_purge(*, now: dt.datetime | None = None, batch: int = PURGE_BATCH) -> tuple[int, bool]:
    """Deletes up to `batch` task rows done more than a week ago; how many, and whether more are left."""
    database = task_database()
    cutoff = (now or timezone.now()) - KEEP_DONE
    old = Task.objects.using(database).filter(status=Task.Status.DONE, finished_at__lt=cutoff)
    ids = list(old.order_by("finished_at").values_list("pk", flat=True)[:batch])
    if ids:
        Task.objects.using(database).filter(pk__in=ids).delete()
    return len(ids), len(ids) == batch


@task("workspaces.purge_idempotency_keys", every=dt.timedelta(hours=1))
def purge_idempotency_keys() -> None:
    deleted = idempotency_keys_purge()
    if deleted:
        logger.info("Deleted %s idempotency records past their TTL", deleted)


@task("workspaces.purge_done_tasks", every=dt.timedelta(hours=1))
def purge_done_tasks() -> object:
    deleted, more = done_tasks_purge()
    if deleted:
        logger.info("Deleted %s task rows done more than %s days ago", deleted, KEEP_DONE.days)
    return MORE if more else None
