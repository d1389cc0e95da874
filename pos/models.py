from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from invoicing.models import Product
from workspaces.discounts import DiscountType
from workspaces.models import ActorType, ApiKey, Client, CreatedByActor, Store, TimeStamped, Workspace
from workspaces.payment_methods import PaymentMethod

MONEY = {"max_digits": 18, "decimal_places": 3}


class BusinessSession(TimeStamped):
    """The business day of one store: at most one open per store, enforced by the database."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="business_sessions")
    business_date = models.DateField(_("business date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opening_cash = models.DecimalField(_("opening cash"), default=0, **MONEY)
    closing_cash = models.DecimalField(_("counted cash"), null=True, blank=True, **MONEY)
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_by_api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_by_type = models.CharField(max_length=10, choices=ActorType.choices, default=ActorType.OWNER)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_by_api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_by_type = models.CharField(max_length=10, choices=ActorType.choices, blank=True, default="")
    summary = models.JSONField(_("Z-report"), null=True, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("business session")
        verbose_name_plural = _("business sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "store"],
                condition=models.Q(status="open"),
                name="one_open_session_per_store",
            )
        ]

    def __str__(self) -> str:
        # The date isolated left to right (U+2066 ... U+2069): after an Arabic store name, "2026-12-01" would
        # otherwise read "01-12-2026".
        return f"{self.store} \u2066{self.business_date}\u2069 ({self.get_status_display()})"


class OrderStatus(TimeStamped):
    """A workspace's own kitchen/service states ("قيد التحضير", "جاهز", ...)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    label_ar = models.CharField(_("Arabic label"), max_length=100)
    label_en = models.CharField(_("English label"), max_length=100, blank=True, default="")
    color = models.CharField(_("colour"), max_length=20, blank=True, default="")
    position = models.PositiveIntegerField(_("position"), default=0)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("order status")
        verbose_name_plural = _("order statuses")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"], condition=models.Q(is_default=True), name="one_default_order_status"
            )
        ]

    def __str__(self) -> str:
        return self.label_ar


# What a page of the invoice list reads besides the id (`pos.pages`): its indexes carry them.
PAGE_KEYS = ["workspace", "created_at"]


class PosInvoice(CreatedByActor, TimeStamped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="pos_invoices")
    # The session's, client's and order status's own indexes are the list's (`pos_invoice_*_list_idx`, below).
    session = models.ForeignKey(
        BusinessSession, on_delete=models.PROTECT, related_name="invoices", db_index=False
    )
    business_date = models.DateField(_("business date"))
    # Null only for a sale a till made offline without naming a client (section 8d: `clientId` is optional there).
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="pos_invoices", db_index=False
    )
    number = models.PositiveBigIntegerField(_("number"))
    public_id = models.CharField(_("number"), max_length=32)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    order_status = models.ForeignKey(
        OrderStatus, on_delete=models.SET_NULL, null=True, blank=True, related_name="invoices", db_index=False
    )
    currency = models.CharField(_("currency"), max_length=3)
    subtotal = models.DecimalField(_("subtotal"), default=0, **MONEY)
    discount_total = models.DecimalField(_("discounts"), default=0, **MONEY)
    tax_total = models.DecimalField(_("tax"), default=0, **MONEY)
    total = models.DecimalField(_("total"), default=0, **MONEY)
    paid_total = models.DecimalField(_("paid"), default=0, **MONEY)
    change_due = models.DecimalField(_("change due"), default=0, **MONEY)
    stock_deducted_at = models.DateTimeField(_("stock deducted"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=255, blank=True, default="")
    # The sum of its returns' totals (section 8a): kept by `pos.services.returns` under the invoice's lock.
    returned_total = models.DecimalField(_("returned"), default=0, **MONEY)
    # An offline sale (section 8d) keeps the till's clock: `created_at` is the till's, hence a default, not
    # `auto_now_add`, which would overwrite it.
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    offline = models.BooleanField(_("made offline"), default=False)
    client_ref = models.UUIDField(_("till's reference"), null=True, blank=True, editable=False)
    device_ref = models.CharField(_("till"), max_length=64, blank=True, default="")
    synced_at = models.DateTimeField(_("synced"), null=True, blank=True)
    # What the till computed and the customer paid, kept when the calculator's total differs (`total_mismatch`).
    offline_total = models.DecimalField(_("till's total"), null=True, blank=True, **MONEY)
    total_mismatch = models.BooleanField(_("total differs from the till's"), default=False)
    # Sold offline with less in stock than sold: the level went below zero (the movements are flagged too).
    stock_short = models.BooleanField(_("sold short of stock"), default=False)

    class Meta:
        verbose_name = _("POS invoice")
        verbose_name_plural = _("POS invoices")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="pos_invoice_number_unique"),
            # A sale sent again (same batch, a later one, a concurrent one) is recorded once (section 8d).
            models.UniqueConstraint(
                fields=["workspace", "client_ref"],
                condition=models.Q(client_ref__isnull=False),
                name="pos_invoice_client_ref_unique",
            ),
        ]
        # The list and each of its filters walk an index newest first and stop after the page: covering, so the
        # page's ids and moments (`pos.pages`, the cursor) are read from the index alone.
        indexes = [
            models.Index(fields=["workspace", "-id"], include=["created_at"], name="pos_invoice_list_idx"),
            models.Index(
                fields=["workspace", "status", "-id"], include=["created_at"], name="pos_invoice_status_idx"
            ),
            models.Index(fields=["client", "-id"], include=PAGE_KEYS, name="pos_invoice_client_list_idx"),
            models.Index(
                fields=["order_status", "-id"], include=PAGE_KEYS, name="pos_invoice_ostatus_list_idx"
            ),
            models.Index(fields=["session", "-id"], include=PAGE_KEYS, name="pos_invoice_session_list_idx"),
            # The admin's and the dashboard's offline lists: small partial indexes, newest first.
            models.Index(
                fields=["workspace", "-id"], condition=models.Q(offline=True), name="pos_invoice_offline_idx"
            ),
            models.Index(
                fields=["workspace", "-id"],
                condition=models.Q(total_mismatch=True),
                name="pos_invoice_mismatch_idx",
            ),
            models.Index(
                fields=["workspace", "-id"],
                condition=models.Q(stock_short=True),
                name="pos_invoice_short_idx",
            ),
            # startDate/endDate: a day's range is read from here, never by walking the primary key backwards.
            models.Index(fields=["workspace", "created_at", "id"], name="pos_invoice_created_id_idx"),
            models.Index(fields=["session", "status"], name="pos_invoice_session_idx"),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


def lines_index(name: str) -> models.Index:
    """An invoice's lines in their order (the answer's, `pos.api.json_rows`), read without a sort; it is also the
    foreign key's index."""
    return models.Index(fields=["invoice", "id"], name=f"pos_{name}_lines_idx")


class PosInvoiceItem(models.Model):
    """A line. Name, SKU and taxes are copied from the product when added: the invoice keeps what was sold."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(PosInvoice, on_delete=models.CASCADE, related_name="items", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    sku = models.CharField(_("SKU"), max_length=64, null=True, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=15, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=4)
    taxes = models.JSONField(_("taxes"), default=list, blank=True)  # [{"id", "name", "rate", "inclusive"}]
    note = models.CharField(_("note"), max_length=255, blank=True, default="")
    subtotal = models.DecimalField(_("subtotal"), default=0, **MONEY)
    discount_amount = models.DecimalField(_("discount"), default=0, **MONEY)
    tax_amount = models.DecimalField(_("tax"), default=0, **MONEY)
    total = models.DecimalField(_("total"), default=0, **MONEY)
    # What its returns took back so far (section 8a), kept under the line's lock: never more than `quantity`.
    returned_quantity = models.DecimalField(
        _("returned quantity"), max_digits=15, decimal_places=3, default=0
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["pk"]
        indexes = [lines_index("item")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(returned_quantity__gte=0, returned_quantity__lte=models.F("quantity")),
                name="pos_item_returned_within_sold",
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class PosInvoiceDiscount(models.Model):
    class Source(models.TextChoices):
        CLIENT = "client", _("Client")
        MANUAL = "manual", _("Manual")

    Type = DiscountType  # the one discount type (workspaces.discounts)

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(
        PosInvoice, on_delete=models.CASCADE, related_name="discounts", db_index=False
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    reason = models.CharField(_("reason"), max_length=255, blank=True, default="")
    amount = models.DecimalField(_("amount"), default=0, **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("discount")
        verbose_name_plural = _("discounts")
        ordering = ["pk"]
        indexes = [lines_index("discount")]

    def __str__(self) -> str:
        return f"{self.type} {self.value}"


class PosPayment(models.Model):
    Method = PaymentMethod  # the one vocabulary, shared with supplier payments (workspaces.payment_methods)

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(PosInvoice, on_delete=models.CASCADE, related_name="payments", db_index=False)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["pk"]
        indexes = [
            lines_index("payment"),
            # The day's report sums its invoices' payments by method from this index alone.
            models.Index(fields=["invoice", "method", "amount"], name="pos_payment_invoice_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount}"


class PosInvoiceEvent(models.Model):
    """The audit trail of an invoice: who did what, when (Zulip's RealmAuditLog, in small)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(PosInvoice, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=40)
    data = models.JSONField(_("data"), default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    api_key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice event")
        verbose_name_plural = _("invoice events")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.action}"


class PosReturn(CreatedByActor, TimeStamped):
    """A credit note (PRODUCT.md section 8a): part or all of a completed sale brought back and refunded from the
    drawer of the store's open day. Written once, never changed; the sale itself is never edited."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="pos_returns")
    invoice = models.ForeignKey(PosInvoice, on_delete=models.PROTECT, related_name="returns")
    session = models.ForeignKey(BusinessSession, on_delete=models.PROTECT, related_name="returns")
    business_date = models.DateField(_("business date"))
    number = models.PositiveBigIntegerField(_("number"))
    public_id = models.CharField(_("number"), max_length=32)
    currency = models.CharField(_("currency"), max_length=3)
    reason = models.CharField(_("reason"), max_length=255)
    subtotal = models.DecimalField(_("subtotal"), default=0, **MONEY)
    discount_total = models.DecimalField(_("discounts"), default=0, **MONEY)
    tax_total = models.DecimalField(_("tax"), default=0, **MONEY)
    total = models.DecimalField(_("total"), default=0, **MONEY)
    # [{"method", "amount"}]: amounts as exact strings; they add up to `total`.
    refunds = models.JSONField(_("refunds"), default=list, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="pos_return_number_unique")
        ]
        indexes = [
            models.Index(fields=["workspace", "-id"], name="pos_return_list_idx"),
            models.Index(fields=["workspace", "created_at", "id"], name="pos_return_created_id_idx"),
            models.Index(fields=["invoice", "id"], name="pos_return_invoice_idx"),
            models.Index(fields=["session", "id"], name="pos_return_session_idx"),
        ]

    def __str__(self) -> str:
        return self.public_id


class PosReturnItem(models.Model):
    """A returned quantity of one line of the sale, with its share of the line's figures."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    pos_return = models.ForeignKey(PosReturn, on_delete=models.CASCADE, related_name="items")
    invoice_item = models.ForeignKey(PosInvoiceItem, on_delete=models.PROTECT, related_name="returned")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=15, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=4)
    subtotal = models.DecimalField(_("subtotal"), default=0, **MONEY)
    discount_amount = models.DecimalField(_("discount"), default=0, **MONEY)
    tax_amount = models.DecimalField(_("tax"), default=0, **MONEY)
    total = models.DecimalField(_("total"), default=0, **MONEY)

    class Meta:
        verbose_name = _("returned item")
        verbose_name_plural = _("returned items")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="pos_return_item_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"
