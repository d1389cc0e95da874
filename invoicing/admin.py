"""Back office for the catalogue and stock. Forms check the same rules as the API through the services' validators
(the one place each rule lives); stock levels and the ledger are read-only: stock changes only through the stock
services, so a level always equals the sum of its movements."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.apps import apps
from django.contrib import admin
from django.db.models import Case, CharField, OuterRef, Subquery, When
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from invoicing import services
from invoicing.models import Product, StockLevel, StockMovement, Tax
from invoicing.services.sales_invoice_rules import STOCK_SOURCE as SALES_INVOICE_SOURCE
from workspaces import codes
from workspaces.admin_base import ReadOnlyInline, WorkspaceScopedAdmin, add_service_errors, form_workspace
from workspaces.admin_display import (
    PlainDecimalsForm,
    actor_column,
    money_column,
    quantity_column,
)
from workspaces.admin_lists import related_filter
from workspaces.admin_site import admin_actor
from workspaces.errors import ApplicationError
from workspaces.templatetags.backoffice import format_quantity


def _workspace_currency(modeladmin, obj) -> str:
    return obj.workspace.currency


class TaxAdminForm(PlainDecimalsForm):
    class Meta:
        model = Tax
        fields = ("workspace", "name", "rate", "inclusive")

    def clean(self):
        cleaned = super().clean()
        try:
            if cleaned.get("rate") is not None:
                services.tax_rate_validate(rate=cleaned["rate"])
            if self.instance.pk and cleaned.get("inclusive") is not None:
                services.tax_kind_change_validate(
                    tax=Tax.objects.get(pk=self.instance.pk), inclusive=cleaned["inclusive"]
                )
        except ApplicationError as error:
            add_service_errors(self, error, {})
        return cleaned


class TaxAddForm(TaxAdminForm):
    """On a new tax "inclusive" may be left unknown: `tax_create` then takes the workspace's default (prices
    include tax or not), as the API does when the field is absent."""

    inclusive = forms.NullBooleanField(
        label=_("included in prices"),
        required=False,
        widget=forms.NullBooleanSelect,
        help_text=_("Unknown: the workspace's default (its prices include tax or not)."),
    )


@admin.register(Tax)
class TaxAdmin(WorkspaceScopedAdmin):
    """Taxes are written by `tax_create` / `tax_update`, the API's services."""

    form = TaxAdminForm
    view_permission = None  # every member reads the taxes (a cashier sells with them)
    change_permission = codes.CATALOG_MANAGE
    list_display = ("name", "rate_display", "inclusive", "created_at", "updated_at")
    list_filter = ("inclusive",)
    search_fields = ("name",)
    date_hierarchy = "created_at"

    rate_display = quantity_column("rate", _("rate (%)"))

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # As in the API, a tax is never deleted: products carry it and documents keep a copy of it.
        return False

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        if obj is None:
            kwargs["form"] = TaxAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request: HttpRequest, obj: Tax, form, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in ("name", "rate", "inclusive")}
        workspace = self.workspace_of(request, obj)
        access = admin_actor(request, workspace)
        if change:
            tax = services.tax_update(tax=self.stored(obj), access=access, data=data)
        else:
            tax = services.tax_create(workspace=workspace, access=access, data=data)
        obj.pk, obj.inclusive = tax.pk, tax.inclusive


PRODUCT_FIELDS = ("name", "name_ar", "sku", "barcode", "price", "track_stock")


class ProductAdminForm(PlainDecimalsForm):
    class Meta:
        model = Product
        fields = ("workspace", *PRODUCT_FIELDS, "taxes")

    def clean(self):
        cleaned = super().clean()
        workspace = form_workspace(self)
        try:
            if cleaned.get("price") is not None:
                services.product_price_validate(price=cleaned["price"])
            if "taxes" in cleaned:
                taxes = list(cleaned["taxes"])
                if workspace is not None and any(tax.workspace_id != workspace.pk for tax in taxes):
                    self.add_error("taxes", _("Choose taxes of this product's workspace."))
                services.product_taxes_validate(taxes=taxes)
            if workspace is not None:
                services.product_codes_validate(
                    workspace=workspace,
                    sku=cleaned.get("sku") or None,
                    barcode=cleaned.get("barcode") or None,
                    product_id=self.instance.pk,
                )
        except ApplicationError as error:
            field = {"sku_taken": "sku", "barcode_taken": "barcode"}.get(error.code)
            if field is None:
                add_service_errors(self, error, {"tax_ids": "taxes"})
            else:
                self.add_error(field, error.message)
        return cleaned


class StockLevelInline(ReadOnlyInline):
    """The product's level in each store, read-only (stock changes through the stock services only)."""

    model = StockLevel
    fields = ("store", "quantity_display", "updated_at")
    quantity_display = quantity_column("quantity", _("quantity"))

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("store")


@admin.register(Product)
class ProductAdmin(WorkspaceScopedAdmin):
    """Products are written by `product_create` / `product_update` / `product_delete`, the API's services (the
    service sets the taxes: the form's many-to-many is not saved a second time)."""

    form = ProductAdminForm
    view_permission = None  # every member reads the products
    change_permission = codes.CATALOG_MANAGE
    list_display = ("name", "name_ar", "sku", "barcode", "price_display", "track_stock", "created_at")
    list_filter = ("track_stock", ("taxes", related_filter(_("taxes"))))
    search_fields = ("name", "name_ar", "sku", "barcode")
    date_hierarchy = "created_at"
    list_select_related = ("workspace",)  # its currency
    filter_horizontal = ("taxes",)
    inlines = [StockLevelInline]

    price_display = money_column("price", _("price"), _workspace_currency, exact=True)

    def save_model(self, request: HttpRequest, obj: Product, form, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in PRODUCT_FIELDS}
        data["tax_ids"] = [tax.pk for tax in form.cleaned_data["taxes"]]
        workspace = self.workspace_of(request, obj)
        access = admin_actor(request, workspace)
        if change:
            product = services.product_update(product=self.stored(obj), access=access, data=data)
        else:
            product = services.product_create(workspace=workspace, access=access, data=data)
        obj.pk = product.pk

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Product) -> None:
        services.product_delete(product=obj, access=admin_actor(request, obj.workspace))

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        """The bulk delete is `product_delete` per row, as the API's."""
        self.run_for_each(
            request,
            objects=queryset.select_related("workspace"),
            action=lambda product: self.delete_model(request, product),
        )


class ReadOnlyScopedAdmin(WorkspaceScopedAdmin):
    """Rows written only by the stock services: visible to every admin member (as the API's stock levels),
    changed by nobody here. Their page shows `fields`, every one read-only."""

    view_permission = None

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return self.fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyScopedAdmin):
    list_display = ("product", "store", "quantity_display", "updated_at")
    fields = list_display
    list_filter = (("store", related_filter(_("store"))),)
    search_fields = ("product__name", "product__name_ar", "product__sku", "product__barcode")
    date_hierarchy = "updated_at"
    list_select_related = ("product", "store")

    quantity_display = quantity_column("quantity", _("quantity"))


@dataclass(frozen=True)
class StockDocument:
    """A kind of document whose stock moves in the ledger (`StockMovement.source_type`): what the page calls it,
    the model holding its number (named, not imported: `pos` builds on `invoicing`, never the reverse) and its
    admin page."""

    label: Promise
    model: str
    number_field: str
    url_name: str
    number_format: str = "{}"


STOCK_DOCUMENTS = {
    "pos_invoice": StockDocument(
        _("POS invoice"), "pos.PosInvoice", "public_id", "admin:pos_posinvoice_change"
    ),
    SALES_INVOICE_SOURCE: StockDocument(
        _("sales invoice"), "invoicing.Invoice", "number", "admin:invoicing_invoice_change", "{:0>6}"
    ),
}


class DocumentTypeFilter(admin.SimpleListFilter):
    title = _("document type")
    parameter_name = "source_type"

    def lookups(self, request, model_admin):
        return [(code, capfirst(document.label)) for code, document in STOCK_DOCUMENTS.items()]

    def queryset(self, request, queryset):
        return queryset.filter(source_type=self.value()) if self.value() else queryset


# The ledger's mark of a movement sold short (no stylesheet of its own: the admin's warning colour, light and dark).
STOCK_SHORT_STYLE = (
    "padding: 0 6px; border-radius: 8px; font-size: 0.6875rem; white-space: nowrap; "
    "background: var(--message-warning-bg); border: 1px solid var(--hairline-color)"
)


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyScopedAdmin):
    """The ledger as a person reads it: the document a movement belongs to by its kind and number, linked to it
    (its number looked up in the same query, a subquery by primary key per row), who made it by name."""

    list_display = ("created_at", "product", "store", "delta_display", "reason_display", "by")
    fields = (
        "created_at", "product", "store", "delta_display", "direction", "reason", "document", "by", "note",
        "stock_short_display",
    )  # fmt: skip
    # `stock_short`: a sale a till made offline took more than the store had (section 8d); Yes / No, no query.
    list_filter = (
        "direction", "reason", DocumentTypeFilter, ("store", related_filter(_("store"))), "stock_short",
    )  # fmt: skip
    search_fields = ("product__name", "product__name_ar", "product__sku", "note", "=source_id")
    date_hierarchy = "created_at"
    list_select_related = ("product", "store", "created_by", "api_key")

    by = actor_column(_("created by"), user="created_by", api_key="api_key")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(document_number=self._document_numbers())

    @staticmethod
    def _document_numbers() -> Case:
        cases = []
        for code, document in STOCK_DOCUMENTS.items():
            try:
                model = apps.get_model(document.model)
            except LookupError:  # that app is not installed: the movement shows its kind without a number
                continue
            numbers = model._default_manager.filter(
                pk=OuterRef("source_id"), workspace=OuterRef("workspace")
            ).values(document.number_field)
            cases.append(When(source_type=code, then=Cast(Subquery(numbers[:1]), CharField())))
        return Case(*cases, default=None, output_field=CharField())

    @admin.display(description=_("change"), ordering="delta")
    def delta_display(self, movement: StockMovement) -> str:
        """The change, marked "Short of stock" when an offline sale took the level below zero."""
        sign = "+" if movement.delta > 0 else ""
        delta = format_html('<span dir="ltr">{}{}</span>', sign, format_quantity(movement.delta))
        if not movement.stock_short:
            return delta
        return format_html(
            '{} <span class="stock-short-flag" title="{}" style="{}">{}</span>',
            delta,
            _("An offline sale took more than the store had: the level went below zero."),
            STOCK_SHORT_STYLE,
            _("Short of stock"),
        )

    @admin.display(description=_("short of stock"))
    def stock_short_display(self, movement: StockMovement) -> str:
        return _("Yes: the level went below zero") if movement.stock_short else _("No")

    @admin.display(description=_("reason"), ordering="reason")
    def reason_display(self, movement: StockMovement) -> str:
        """The reason, the document and the note in one cell, as a person says it ("Sale — POS invoice POS-002",
        "Adjustment — Opening stock"): the list fits 1400 px."""
        parts = [movement.get_reason_display()]
        if movement.source_type:
            parts.append(self.document(movement))
        if movement.note:
            parts.append(movement.note)
        return format_html_join(" — ", "{}", ((part,) for part in parts))

    @admin.display(description=_("document"), ordering="source_type")
    def document(self, movement: StockMovement) -> str:
        kind = STOCK_DOCUMENTS.get(movement.source_type)
        if kind is None:
            return "—" if not movement.source_type else f"{_('document')} {movement.source_id}"
        number = getattr(movement, "document_number", None)
        return format_html(
            '<a href="{}">{} <span dir="ltr">{}</span></a>',
            reverse(kind.url_name, args=[movement.source_id]),
            capfirst(kind.label),
            kind.number_format.format(number) if number else movement.source_id,
        )


from invoicing import sales_admin  # noqa: E402,F401  (the api2 sales invoices; registers on import)
from invoicing.zatca import admin as zatca_admin  # noqa: E402,F401  (ZATCA devices and documents)
