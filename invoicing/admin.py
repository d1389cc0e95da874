"""Back office for the catalogue and stock. Forms check the same rules as the API through the services' validators
(the one place each rule lives); stock levels and the ledger are read-only: stock changes only through the stock
services, so a level always equals the sum of its movements."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from invoicing import services
from invoicing.models import Product, StockLevel, StockMovement, Tax
from workspaces import codes
from workspaces.admin import WorkspaceScopedAdmin, WorkspaceScopedInline, add_service_errors, form_workspace
from workspaces.admin_site import admin_actor
from workspaces.errors import ApplicationError


class TaxAdminForm(forms.ModelForm):
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
    list_display = ("name", "rate", "inclusive", "created_at", "updated_at")
    list_filter = ("inclusive",)
    search_fields = ("name",)
    date_hierarchy = "created_at"

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


class ProductAdminForm(forms.ModelForm):
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


class StockLevelInline(WorkspaceScopedInline):
    """The product's level in each store, read-only (stock changes through the stock services only)."""

    model = StockLevel
    fields = ("store", "quantity", "updated_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(WorkspaceScopedAdmin):
    """Products are written by `product_create` / `product_update` / `product_delete`, the API's services (the
    service sets the taxes: the form's many-to-many is not saved a second time)."""

    form = ProductAdminForm
    view_permission = None  # every member reads the products
    change_permission = codes.CATALOG_MANAGE
    list_display = ("name", "name_ar", "sku", "barcode", "price", "track_stock", "created_at")
    list_filter = ("track_stock", ("taxes", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "name_ar", "sku", "barcode")
    date_hierarchy = "created_at"
    filter_horizontal = ("taxes",)
    inlines = [StockLevelInline]

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
    changed by nobody here."""

    view_permission = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyScopedAdmin):
    list_display = ("product", "store", "quantity", "updated_at")
    list_filter = (("store", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("product__name", "product__name_ar", "product__sku", "product__barcode")
    date_hierarchy = "updated_at"
    list_select_related = ("product", "store")


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyScopedAdmin):
    list_display = (
        "created_at",
        "product",
        "store",
        "delta",
        "direction",
        "reason",
        "source_type",
        "source_id",
        "created_by",
        "api_key",
        "note",
    )
    list_filter = ("direction", "reason", "source_type", ("store", admin.RelatedOnlyFieldListFilter))
    search_fields = ("product__name", "product__name_ar", "product__sku", "note", "=source_id")
    date_hierarchy = "created_at"
    list_select_related = ("product", "store", "created_by", "api_key")


from invoicing import sales_admin  # noqa: E402,F401  (the api2 sales invoices; registers on import)
