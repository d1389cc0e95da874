"""Suppliers, their invoices and the payments made on them (PRODUCT.md section 6; seed 002)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from workspaces.models import ApiKey, TimeStamped, Workspace
from workspaces.payment_methods import PaymentMethod
from workspaces.templatetags.backoffice import format_money

MONEY = {"max_digits": 18, "decimal_places": 3}

# Arabic-Indic (U+0660..) and Extended Arabic-Indic / Persian (U+06F0..) digits read as ASCII.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def normalise_invoice_number(number: str) -> str:
    """The form the uniqueness rule compares: trimmed, Eastern digits as ASCII, case-folded.

    "INV-١٠" and " inv-10 " are the same number."""
    return number.strip().translate(_DIGITS).casefold()


class Supplier(TimeStamped):
    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=32, null=True, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, null=True, blank=True)
    tax_number = models.CharField(_("tax number"), max_length=32, null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=5000, null=True, blank=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        indexes = [models.Index(fields=["workspace", "-id"], name="supplier_list_idx")]

    def __str__(self) -> str:
        return self.name


class SupplierInvoice(TimeStamped):
    """A supplier's bill. `paid_amount`, `remaining_amount` and `status` follow the payments, kept by the services
    under a row lock (`suppliers.services.common.apply_balance`: remaining = total - paid, in Decimal); the
    database refuses a remaining amount below zero. That remaining = total - paid is no database check: SQLite
    computes a difference of decimal columns in binary floating point (0.3 - 0.1 is not 0.2 there), so such a
    check would refuse exact balances."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PARTIALLY_PAID = "partially_paid", _("Partially paid")
        PAID = "paid", _("Paid")

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="invoices")
    invoice_number = models.CharField(_("invoice number"), max_length=100)
    invoice_number_normalised = models.CharField(_("normalised number"), max_length=100, editable=False)
    currency = models.CharField(_("currency"), max_length=3)
    total_amount = models.DecimalField(_("total"), **MONEY)
    paid_amount = models.DecimalField(_("paid"), default=0, **MONEY)
    remaining_amount = models.DecimalField(_("remaining"), **MONEY)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    description = models.TextField(_("description"), max_length=5000, null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=5000, null=True, blank=True)
    image_url = models.URLField(_("image URL"), max_length=2048, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("supplier invoice")
        verbose_name_plural = _("supplier invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "invoice_number_normalised"], name="supplier_invoice_number_unique"
            ),
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="supplier_invoice_total_gte_0"),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0, remaining_amount__gte=0),
                name="supplier_invoice_balance_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(due_date__gte=F("issue_date")),
                name="supplier_invoice_due_after_issue",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "-id"], name="supplier_invoice_list_idx"),
            models.Index(fields=["workspace", "supplier", "-id"], name="supplier_invoice_supplier_idx"),
            models.Index(fields=["workspace", "status", "-id"], name="supplier_invoice_status_idx"),
            # A date range reads the ids it holds here, index-only, to bound the list's walk of the primary key
            # (`selectors.invoice_list`).
            models.Index(fields=["workspace", "issue_date", "id"], name="supplier_invoice_issue_idx"),
            models.Index(fields=["workspace", "due_date", "id"], name="supplier_invoice_due_idx"),
            # The open invoices only (a small part of the table once paid invoices pile up): the aging report and
            # the overdue filter and figure read it alone, index-only, whatever the table's size. The trigram
            # indexes behind `q` are PostgreSQL's alone: migration 0004 creates them (not in this list).
            models.Index(
                fields=["workspace", "due_date", "supplier", "remaining_amount", "issue_date", "id"],
                condition=Q(remaining_amount__gt=0),
                name="supplier_invoice_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.invoice_number


class SupplierPayment(models.Model):
    Method = PaymentMethod  # the one vocabulary, the POS's words (workspaces.payment_methods)

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    # PROTECT: an invoice with payments is never deleted (409 `invoice_has_payments`).
    invoice = models.ForeignKey(SupplierInvoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount"), **MONEY)
    paid_at = models.DateTimeField(_("paid at"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=100, null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=5000, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("supplier payment")
        verbose_name_plural = _("supplier payments")
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="supplier_payment_amount_gt_0")]

    def __str__(self) -> str:
        """ "INV-002: 2,000.00": the invoice it pays and the amount in the currency's digits (history, messages)."""
        return f"{self.invoice.invoice_number}: {format_money(self.amount, self.invoice.currency)}"


class InvoiceFile(models.Model):
    """A file stored by the invoice-image upload (PRODUCT.md section 6, "Images"): what the file view serves to the
    workspace's members, what the quota adds up, and what `cleanup_uploads` removes when no invoice named it
    (`image_url`) within a day. `name` is the storage name, under the workspace's own prefix
    (`supplier-invoices/<workspace id>/...`)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("storage name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content_type = models.CharField(_("content type"), max_length=100)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    attached_at = models.DateTimeField(_("attached"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice file")
        verbose_name_plural = _("invoice files")
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="invoice_file_name_unique")]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(attached_at__isnull=True),
                name="invoice_file_unattached_idx",
            )
        ]

    def __str__(self) -> str:
        return self.name


class UploadQuota(models.Model):
    """One row per workspace that has uploaded: the row an upload locks while it adds up the workspace's files and
    stores its own, so two concurrent uploads cannot both pass the quota (never the workspace row itself)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("upload quota")
        verbose_name_plural = _("upload quotas")

    def __str__(self) -> str:
        return str(self.workspace_id)
