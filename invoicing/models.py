"""Catalogue (taxes, products), stock (a level per store and product plus the movement ledger) and the counters
behind gapless document numbers. Rules live in `invoicing.services`; the constraints here are the database's
last word on them."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from invoicing.money import (
    PRICE_DECIMAL_PLACES,
    PRICE_MAX_DIGITS,
    QUANTITY_DECIMAL_PLACES,
    QUANTITY_MAX_DIGITS,
)
from workspaces.models import ApiKey, Store, TimeStamped, Workspace
from workspaces.numbers import decimal_literal
from workspaces.payment_methods import PaymentMethod

TAX_RATE_MAX_DIGITS = 7
TAX_RATE_DECIMAL_PLACES = 4


class Tax(TimeStamped):
    """A tax products carry. `rate` is a percent (15 = 15 %); `inclusive`: prices already contain it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="taxes")
    name = models.CharField(_("name"), max_length=100)
    rate = models.DecimalField(
        _("rate (%)"), max_digits=TAX_RATE_MAX_DIGITS, decimal_places=TAX_RATE_DECIMAL_PLACES
    )
    inclusive = models.BooleanField(_("included in prices"), default=False)

    class Meta:
        verbose_name = _("tax")
        verbose_name_plural = _("taxes")
        constraints = [
            models.CheckConstraint(condition=models.Q(rate__gte=0, rate__lte=100), name="tax_rate_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.rate.normalize():f}%)"

    def snapshot(self) -> dict[str, Any]:
        """What a document's line copies of the tax when the line is written: the line keeps it whatever the tax
        becomes (`{"id", "name", "rate", "inclusive"}`, the rate as exact text)."""
        return {"id": self.pk, "name": self.name, "rate": str(self.rate), "inclusive": self.inclusive}


class LiveProducts(models.Manager):
    """Products not deleted: every read of the catalogue (API, admin, documents) goes through this one."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class Product(TimeStamped):
    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(_("name"), max_length=200)
    name_ar = models.CharField(_("Arabic name"), max_length=200, blank=True, default="")
    sku = models.CharField(_("SKU"), max_length=64, null=True, blank=True)
    barcode = models.CharField(_("barcode"), max_length=64, null=True, blank=True)
    price = models.DecimalField(_("price"), max_digits=PRICE_MAX_DIGITS, decimal_places=PRICE_DECIMAL_PLACES)
    # At most two, never an inclusive and an exclusive one together: checked by `services.product_taxes_check`.
    taxes = models.ManyToManyField(Tax, blank=True, related_name="products", verbose_name=_("taxes"))
    track_stock = models.BooleanField(_("track stock"), default=True)
    # Deleting a product no document refers to hides it (section 4) but keeps the row: a till that loaded it before
    # may still have sold it offline (section 8d). Its SKU and barcode are free again.
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)

    objects = LiveProducts()
    with_deleted = models.Manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        base_manager_name = "with_deleted"  # a document's line reaches its product, deleted or not
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "sku"],
                condition=models.Q(sku__isnull=False, deleted_at__isnull=True),
                name="product_sku_unique",
            ),
            models.UniqueConstraint(
                fields=["workspace", "barcode"],
                condition=models.Q(barcode__isnull=False, deleted_at__isnull=True),
                name="product_barcode_unique",
            ),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="product_price_not_negative"),
        ]
        # The list's order (newest first). `sku=` and `barcode=` are served by the two partial unique constraints
        # above: `sku = '...'` implies `sku IS NOT NULL`, on PostgreSQL as on SQLite.
        indexes = [models.Index(fields=["workspace", "-id"], name="product_list_idx")]

    def __str__(self) -> str:
        return self.name


class StockLevel(models.Model):
    """The quantity of a product in a store: always the sum of its `StockMovement` deltas, kept in the same
    transaction as each movement. Negative only where the workspace allows negative stock."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="stock_levels", verbose_name=_("store")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="stock_levels", verbose_name=_("product")
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=QUANTITY_MAX_DIGITS, decimal_places=QUANTITY_DECIMAL_PLACES, default=0
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "store", "product"], name="stock_level_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.product} @ {self.store}: {decimal_literal(self.quantity)}"


class StockMovement(models.Model):
    """One change of a stock level: the ledger. Rows are written once and never changed.

    A document's stock leaves once (`direction="out"`) and comes back at most once (`"back"`): the unique
    constraint on (workspace, source_type, source_id, store, product, direction) guarantees it whatever is
    retried or raced. Adjustments have no source and `direction="adjust"`.
    """

    class Reason(models.TextChoices):
        SALE = "sale", _("Sale")
        SALE_REVERSAL = "sale_reversal", _("Sale reversal")
        ADJUSTMENT = "adjustment", _("Adjustment")
        INVOICE = "invoice", _("Invoice")
        INVOICE_REVERSAL = "invoice_reversal", _("Invoice reversal")
        RETURN = "return", _("Return")

    class Direction(models.TextChoices):
        OUT = "out", _("Out")
        BACK = "back", _("Back")
        ADJUST = "adjust", _("Adjustment")

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="stock_movements", verbose_name=_("store")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="stock_movements", verbose_name=_("product")
    )
    delta = models.DecimalField(
        _("change"), max_digits=QUANTITY_MAX_DIGITS, decimal_places=QUANTITY_DECIMAL_PLACES
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    source_type = models.CharField(_("document type"), max_length=40, blank=True, default="")
    source_id = models.BigIntegerField(_("document id"), null=True, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("API key")
    )
    note = models.CharField(_("note"), max_length=255, blank=True, default="")
    # A sale made offline took more than the store had (section 8d): the level went below zero.
    stock_short = models.BooleanField(_("short of stock"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source_type", "source_id", "store", "product", "direction"],
                condition=models.Q(source_id__isnull=False),
                name="stock_movement_once_per_document",
            ),
            models.CheckConstraint(
                condition=models.Q(direction="out", delta__lt=0)
                | models.Q(direction="back", delta__gt=0)
                | (models.Q(direction="adjust") & ~models.Q(delta=0)),
                name="stock_movement_delta_sign",
            ),
        ]
        indexes = [
            models.Index(
                fields=["workspace", "store", "product", "created_at"], name="stock_movement_ledger_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product} @ {self.store}: {'+' if self.delta > 0 else ''}{decimal_literal(self.delta)}"


class DocumentCounter(models.Model):
    """The last number given in a series of a workspace (`POS`, `api2`). Locked by `numbering.number_next`
    inside the transaction that creates the document, so a rollback gives the number back: no gaps."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    series = models.CharField(_("series"), max_length=20)
    last_value = models.PositiveBigIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "series"], name="document_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.series}: {self.last_value}"


# --- The generic sales invoice behind api2 (PRODUCT.md section 8, seed 004) ----------------------------------

SALES_MONEY = {"max_digits": 18, "decimal_places": 3}
SALES_PERCENT = {"max_digits": 7, "decimal_places": 4}


class Invoice(TimeStamped):
    """A sales invoice created through api2: numbered gaplessly per workspace (`no` = "000001"), its figures
    written once by `invoicing.services.sales_invoices` from the one totals calculator. A non-draft invoice took
    its quantities out of `store` when it was created (stock movements with source type "api2_invoice")."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveBigIntegerField(_("number"))
    client = models.ForeignKey(
        "workspaces.Client", on_delete=models.PROTECT, related_name="+", verbose_name=_("client")
    )
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("store"))
    currency = models.CharField(_("currency"), max_length=3)
    date = models.DateField(_("date"))
    draft = models.BooleanField(_("draft"), default=False)
    discount = models.DecimalField(_("discount (%)"), default=0, **SALES_PERCENT)
    discount_amount = models.DecimalField(_("discount amount"), default=0, **SALES_MONEY)
    notes = models.TextField(_("notes"), null=True, blank=True)
    po_number = models.CharField(_("PO number"), max_length=100, null=True, blank=True)
    is_offline = models.BooleanField(_("offline client"), default=False)
    summary_subtotal = models.DecimalField(_("subtotal"), default=0, **SALES_MONEY)
    summary_discount = models.DecimalField(_("discounts"), default=0, **SALES_MONEY)
    summary_tax = models.DecimalField(_("tax"), default=0, **SALES_MONEY)
    summary_total = models.DecimalField(_("total"), default=0, **SALES_MONEY)
    summary_paid = models.DecimalField(_("paid"), default=0, **SALES_MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_by_api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("API key")
    )

    class Meta:
        verbose_name = _("sales invoice")
        verbose_name_plural = _("sales invoices")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="sales_invoice_number_unique"),
            models.CheckConstraint(
                condition=models.Q(discount__gte=0, discount__lte=100), name="sales_invoice_discount_percent"
            ),
            models.CheckConstraint(
                condition=models.Q(discount=0) | models.Q(discount_amount=0),
                name="sales_invoice_one_document_discount",
            ),
            models.CheckConstraint(
                condition=models.Q(summary_paid__lte=models.F("summary_total")),
                name="sales_invoice_not_overpaid",
            ),
        ]
        # The admin lists by `-id` (`sales_invoice_list_idx`). api2's list is newest first by `date`, then `id`
        # (`invoicing.sales_selectors`): every filter has an index ending with its order, so a page is a walk of
        # one index whatever the date range, never of the primary key (PRODUCT.md sections 2 and 8). `search`
        # uses (workspace, po_number) and the unique (workspace, number) for `no`.
        indexes = [
            models.Index(fields=["workspace", "-id"], name="sales_invoice_list_idx"),
            models.Index(fields=["workspace", "-date", "-id"], name="sales_invoice_date_idx"),
            models.Index(fields=["workspace", "client", "-date", "-id"], name="sales_invoice_client_idx"),
            models.Index(fields=["workspace", "store", "-date", "-id"], name="sales_invoice_store_idx"),
            models.Index(fields=["workspace", "draft", "-date", "-id"], name="sales_invoice_draft_idx"),
            models.Index(fields=["workspace", "po_number"], name="sales_invoice_po_number_idx"),
        ]

    def __str__(self) -> str:
        return self.no

    @property
    def no(self) -> str:
        return f"{self.number:06d}"

    @property
    def summary_unpaid(self):
        return self.summary_total - self.summary_paid


class InvoiceItem(models.Model):
    """A line of a sales invoice: `discount` is a percent (`discount_type` 1) or an amount off the line (2);
    `tax1` and `tax2` both apply to the line's amount after its own and the document's discounts."""

    class DiscountType(models.IntegerChoices):
        PERCENT = 1, _("Percentage")
        ABSOLUTE = 2, _("Absolute")

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=QUANTITY_MAX_DIGITS, decimal_places=QUANTITY_DECIMAL_PLACES
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=PRICE_MAX_DIGITS, decimal_places=PRICE_DECIMAL_PLACES
    )
    discount = models.DecimalField(_("discount"), max_digits=18, decimal_places=4, default=0)
    discount_type = models.PositiveSmallIntegerField(
        _("discount type"), choices=DiscountType.choices, default=DiscountType.PERCENT
    )
    tax1 = models.ForeignKey(
        Tax, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("tax 1")
    )
    tax2 = models.ForeignKey(
        Tax, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("tax 2")
    )
    col_3 = models.CharField(_("column 3"), max_length=255, null=True, blank=True)
    col_4 = models.CharField(_("column 4"), max_length=255, null=True, blank=True)
    col_5 = models.CharField(_("column 5"), max_length=255, null=True, blank=True)
    subtotal = models.DecimalField(_("subtotal"), default=0, **SALES_MONEY)
    discount_amount = models.DecimalField(_("discount amount"), default=0, **SALES_MONEY)
    tax_amount = models.DecimalField(_("tax"), default=0, **SALES_MONEY)
    total = models.DecimalField(_("total"), default=0, **SALES_MONEY)

    class Meta:
        verbose_name = _("sales invoice item")
        verbose_name_plural = _("sales invoice items")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="sales_invoice_item_quantity"),
        ]

    def __str__(self) -> str:
        return f"{decimal_literal(self.quantity)} × {self.product}"


class InvoicePayment(models.Model):
    """A payment recorded on a non-draft sales invoice (api2's `Payment` list)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="payments")
    payment_method = models.CharField(_("payment method"), max_length=50)
    amount = models.DecimalField(_("amount"), **SALES_MONEY)
    date = models.DateField(_("date"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("sales invoice payment")
        verbose_name_plural = _("sales invoice payments")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="sales_invoice_payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.method_label}: {decimal_literal(self.amount)}"

    @property
    def method_label(self) -> str:
        """api2 takes any text; one of the product's methods ("cash", "Card") reads in the page's language."""
        method = self.payment_method.strip().lower()
        return PaymentMethod(method).label if method in PaymentMethod.values else self.payment_method


# api2's day counts, kept by PostgreSQL (`invoicing.day_counts`).
from invoicing.day_counts import SalesInvoiceDay  # noqa: E402

# ZATCA phase 2 (section 8b): its rows live beside its code.
from invoicing.zatca.models import ZatcaDevice, ZatcaDocument  # noqa: E402

__all__ = ["SalesInvoiceDay", "ZatcaDevice", "ZatcaDocument"]
