"""The task queue's table (PRODUCT.md section 11, "Background work"; `workspaces.tasks.worker` runs it).

A row is one run of one registered task. It moves `queued` -> `running` (claimed by one worker under a lease) ->
`done`, or back to `queued` with a backoff after a failure, or `failed` once its attempts are spent. A `running` row
whose lease ended belongs to a worker that died: another worker claims it again."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Task(models.Model):
    """One run of a registered task with its keyword arguments. System work: no workspace of its own (`args` may
    carry a workspace id). `unique_key` makes a job exist once while it is pending (queued or running): a periodic
    task's key is its name, so however many workers start, each periodic task has one pending row."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    PENDING = (Status.QUEUED, Status.RUNNING)

    name = models.CharField(_("task"), max_length=100)
    args = models.JSONField(_("arguments"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    run_at = models.DateTimeField(_("due at"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("maximum attempts"), default=5)
    lease_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    claimed_by = models.CharField(_("worker"), max_length=100, blank=True, default="")
    last_error = models.CharField(_("last error"), max_length=500, blank=True, default="")
    unique_key = models.CharField(_("unique key"), max_length=200, null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        app_label = "workspaces"
        verbose_name = _("background task")
        verbose_name_plural = _("background tasks")
        indexes = [
            # The claim's two halves: due queued rows, and running rows whose lease ended (a dead worker's).
            models.Index(fields=["run_at"], name="task_due_idx", condition=Q(status="queued")),
            models.Index(fields=["lease_until"], name="task_lease_idx", condition=Q(status="running")),
            # The weekly purge of finished rows.
            models.Index(fields=["finished_at"], name="task_done_idx", condition=Q(status="done")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unique_key"],
                condition=Q(status__in=["queued", "running"]),
                name="task_pending_unique_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk} ({self.status})"
