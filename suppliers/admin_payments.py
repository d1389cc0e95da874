"""Supplier payments in the back office: added through the service (a refusal beside the amount, what was typed
kept), read-only once recorded, removed through the service."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from suppliers import error_codes, services
from suppliers.admin_common import SuppliersAdmin, payment_currency
from suppliers.admin_forms import PaymentAddForm, refusal_on
from suppliers.models import SupplierPayment
from workspaces.admin_display import actor_column, money_column
from workspaces.admin_site import admin_actor
from workspaces.templatetags.backoffice import format_money


class Named:
    """A row as its pages name it (title, breadcrumbs, the delete question): given as the page's `original` or
    `object`, which the templates read for their text and their links (`pk`)."""

    def __init__(self, pk: int, name: str) -> None:
        self.pk = pk
        self.name = name

    def __str__(self) -> str:
        return self.name


def payment_label(payment: SupplierPayment) -> str:
    """A payment by its invoice and its amount in the currency's digits: "INV-002: 2,000.00"."""
    invoice = payment.invoice
    return f"{invoice.invoice_number}: {format_money(payment.amount, invoice.currency)}"


@admin.register(SupplierPayment)
class SupplierPaymentAdmin(SuppliersAdmin):
    """Payments are recorded here or on their invoice's page, and kept as recorded: a recorded payment's page is
    read-only (remove it and record it again)."""

    form = PaymentAddForm
    list_display = (
        "invoice_name",
        "supplier_name",
        "amount_display",
        "method",
        "reference",
        "paid_at",
        "created_by_name",
    )
    amount_display = money_column("amount", _("amount"), payment_currency)
    created_by_name = actor_column(_("created by"))
    list_filter = ("method", "paid_at")
    search_fields = ("invoice__invoice_number", "invoice__supplier__name", "reference")
    search_help_text = _("Search by invoice number, supplier or reference.")
    date_hierarchy = "paid_at"
    ordering = ("-pk",)
    fields = ("invoice", "amount", "paid_at", "method", "reference", "notes")
    recorded = (
        "invoice_link",
        "supplier_name",
        "amount_display",
        "paid_at",
        "method",
        "reference",
        "notes",
        "created_by_name",
        "created_at",
    )
    autocomplete_fields = ("invoice",)
    actions = ["delete_selected"]

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else self.recorded

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.recorded

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .select_related("invoice__supplier", "created_by", "created_by_api_key")
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "invoice":
            kwargs["label"] = capfirst(_("supplier invoice"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("supplier invoice"), ordering="invoice__invoice_number")
    def invoice_name(self, payment: SupplierPayment) -> str:
        return payment.invoice.invoice_number

    @admin.display(description=_("supplier invoice"))
    def invoice_link(self, payment: SupplierPayment) -> str:
        url = reverse("admin:suppliers_supplierinvoice_change", args=[payment.invoice_id])
        return format_html('<a href="{}">{}</a>', url, payment.invoice.invoice_number)

    @admin.display(description=_("supplier"), ordering="invoice__supplier__name")
    def supplier_name(self, payment: SupplierPayment) -> str:
        return payment.invoice.supplier.name

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)  # recorded payments are kept as is

    def _named(self, request, object_id: str) -> Named | None:
        payment = self.get_object(request, unquote(object_id))
        return None if payment is None else Named(payment.pk, payment_label(payment))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The page names the payment by its invoice and amount ("INV-002: 2,000.00"), not its bare amount."""
        named = self._named(request, object_id)
        extra = {"original": named, "subtitle": str(named)} if named else {}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def delete_view(self, request, object_id, extra_context=None):
        named = self._named(request, object_id)
        extra = {"object": named} if named else {}
        return super().delete_view(request, object_id, {**(extra_context or {}), **extra})

    def history_view(self, request, object_id, extra_context=None):
        named = self._named(request, object_id)
        extra = {"object": named, "title": gettext("Change history: %s") % named} if named else {}
        return super().history_view(request, object_id, {**(extra_context or {}), **extra})

    def get_deleted_objects(self, objs, request):
        _deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        lines = [
            format_html(
                '{}: <a href="{}">{}</a>',
                capfirst(self.opts.verbose_name),
                reverse("admin:suppliers_supplierpayment_change", args=[payment.pk]),
                payment_label(payment),
            )
            for payment in objs
        ]
        return lines, counts, perms_needed, protected

    def response_delete(self, request, obj_display, obj_id):
        return super().response_delete(request, getattr(request, "_deleted_payment", obj_display), obj_id)

    def save_model(self, request, obj, form, change) -> None:
        invoice = form.cleaned_data["invoice"]
        with refusal_on(amount=error_codes.OVERPAYMENT):
            payment, _invoice = services.supplier_payment_add(
                workspace=invoice.workspace,
                access=admin_actor(request, invoice.workspace),
                invoice=invoice,
                amount=form.cleaned_data["amount"],
                paid_at=form.cleaned_data.get("paid_at"),
                method=form.cleaned_data.get("method") or None,
                reference=form.cleaned_data.get("reference"),
                notes=form.cleaned_data.get("notes"),
            )
        obj.pk = payment.pk

    def delete_model(self, request, obj) -> None:
        invoice = obj.invoice
        request._deleted_payment = payment_label(obj)
        services.supplier_payment_remove(
            workspace=invoice.workspace,
            access=admin_actor(request, invoice.workspace),
            invoice=invoice,
            payment_id=obj.pk,
        )

    def delete_queryset(self, request, queryset) -> None:
        self.run_for_each(
            request,
            objects=queryset.select_related("invoice__workspace"),
            action=lambda p: self.delete_model(request, p),
        )
