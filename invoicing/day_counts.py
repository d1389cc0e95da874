"""api2's invoices per day (issue 18): the model PostgreSQL's triggers keep (migration 0010)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import Workspace


class SalesInvoiceDay(models.Model):
    """How many api2 invoices a workspace has on one `date`, drafts included. PostgreSQL keeps it: triggers on
    `invoicing_invoice` add a statement's inserted rows, take its deleted ones away and move an invoice whose date
    or workspace changes (migration 0010), whatever wrote them (a service, the admin, SQL). api2's list reads it
    for its exact `total_results` and to reach a deep page without skipping its offset row by row
    (`invoicing.sales_selectors.sales_invoice_window`). Elsewhere (SQLite, development) it stays empty and unread."""

    # The unique (workspace, date) is the workspace's index too.
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+", db_index=False)
    date = models.DateField(_("date"))
    invoices = models.IntegerField(_("invoices"), default=0)

    class Meta:
        verbose_name = _("sales invoices of a day")
        verbose_name_plural = _("sales invoices per day")
        constraints = [models.UniqueConstraint(fields=["workspace", "date"], name="sales_invoice_day_unique")]

    def __str__(self) -> str:
        return f"{self.date}: {self.invoices}"
