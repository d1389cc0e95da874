"""Orders from the order platform and the invoices generated from them (PRODUCT.md section 7, seed 003).

An order's lines keep what was ordered (name, price, taxes copied when the order is made) and how much of each has
been invoiced so far; the order row is the lock that serialises every invoice of that order (`orders/locks.py`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from invoicing.models import Product
from workspaces.models import Client, CreatedByActor, Store, TimeStamped, Workspace

MONEY = {"max_digits": 18, "decimal_places": 3}
QUANTITY = {"max_digits": 15, "decimal_places": 3}
PRICE = {"max_digits": 18, "decimal_places": 4}


class Order(CreatedByActor, TimeStamped):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CANCELLED = "cancelled", _("Cancelled")

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("client"),
    )
    # The store that issues the order's invoices (and signs them for ZATCA where it has a device); null only in a
    # workspace that has no store at all.
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("store")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), default=0, **MONEY)
    meta_fields = models.JSONField(_("meta fields"), default=list, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        # The admin's list, newest first (`created_at`, then id), its status filter and a month or day of its date
        # hierarchy: each counted and paged along its own index (issue 18), never by reading the whole table.
        indexes = [
            models.Index(fields=["workspace", "-id"], name="order_list_idx"),
            models.Index(fields=["workspace", "status", "created_at", "id"], name="order_status_idx"),
            models.Index(fields=["workspace", "created_at", "id"], name="order_created_id_idx"),
        ]

    def __str__(self) -> str:
        return _("Order %(id)s") % {"id": self.pk}


class OrderLineItem(models.Model):
    """A line of an order. `discount` is an absolute amount off the whole line; `invoiced_quantity` and
    `invoiced_discount` say how much of the line and of its discount the order's invoices have taken so far."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="line_items")
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("product")
    )
    name = models.CharField(_("name"), max_length=200)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("unit price"), **PRICE)
    discount = models.DecimalField(_("discount"), default=0, **MONEY)
    taxes = models.JSONField(_("taxes"), default=list, blank=True)  # [{"id", "name", "rate", "inclusive"}]
    invoiced_quantity = models.DecimalField(_("invoiced quantity"), default=0, **QUANTITY)
    invoiced_discount = models.DecimalField(_("invoiced discount"), default=0, **MONEY)

    class Meta:
        verbose_name = _("line item")
        verbose_name_plural = _("line items")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(invoiced_quantity__gte=0, invoiced_quantity__lte=models.F("quantity")),
                name="order_line_invoiced_within_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(discount__gte=0, invoiced_discount__gte=0, unit_price__gte=0),
                name="order_line_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity.normalize():f} × {self.name}"

    @property
    def remaining_quantity(self):
        return self.quantity - self.invoiced_quantity


class OrderInvoice(CreatedByActor, TimeStamped):
    """An invoice generated from an order (seed 003). Moves no stock: the order platform ships the goods."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("order")
    )
    currency = models.CharField(_("currency"), max_length=3)
    subtotal = models.DecimalField(_("subtotal"), default=0, **MONEY)
    discount_total = models.DecimalField(_("discounts"), default=0, **MONEY)
    tax_total = models.DecimalField(_("tax"), default=0, **MONEY)
    total = models.DecimalField(_("total"), default=0, **MONEY)
    meta_fields = models.JSONField(_("meta fields"), default=list, blank=True)

    class Meta:
        verbose_name = _("order invoice")
        verbose_name_plural = _("order invoices")
        indexes = [
            models.Index(fields=["workspace", "-id"], name="order_invoice_list_idx"),
            models.Index(fields=["order", "-id"], name="order_invoice_order_idx"),
            models.Index(fields=["workspace", "created_at", "id"], name="order_invoice_created_id_idx"),
        ]

    def __str__(self) -> str:
        return _("Invoice %(id)s") % {"id": self.pk}


class OrderInvoiceLine(models.Model):
    """An order line's share in one invoice: its quantity and its part of the line's discount."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(OrderInvoice, on_delete=models.CASCADE, related_name="lines")
    line_item = models.ForeignKey(
        OrderLineItem, on_delete=models.PROTECT, related_name="invoice_lines", verbose_name=_("line item")
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    subtotal = models.DecimalField(_("subtotal"), default=0, **MONEY)
    discount_amount = models.DecimalField(_("discount"), default=0, **MONEY)
    tax_amount = models.DecimalField(_("tax"), default=0, **MONEY)
    total = models.DecimalField(_("total"), default=0, **MONEY)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="order_invoice_line_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity.normalize():f} × {self.line_item.name}"
