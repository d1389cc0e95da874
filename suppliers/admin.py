"""Suppliers in the back office: every save, delete and action goes through the API's services.

A refusal keeps what was typed: the form comes back with the refusal beside its field (`WorkspaceScopedAdmin`'s
`service_error_fields`; the refusals the API answers without field errors are placed by `refusal_on`), a
refused payment of the invoice page beside its own row (`admin_inlines`)."""

from __future__ import annotations

from functools import partial

from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from suppliers import admin_views, error_codes, exports, services
from suppliers.admin_common import SuppliersAdmin, invoice_currency
from suppliers.admin_forms import SupplierInvoiceForm, refusal_on
from suppliers.admin_inlines import NewPaymentInline, PaymentInline, PaymentRowRefused
from suppliers.models import Supplier, SupplierInvoice, normalise_invoice_number
from suppliers.selectors import overdue_q
from suppliers.services.images import file_path
from workspaces import codes
from workspaces.admin_base import code_permission
from workspaces.admin_display import actor_column, money_column, related_column
from workspaces.admin_lists import longer_than_column, related_filter
from workspaces.admin_site import admin_access, admin_actor
from workspaces.dates import workspace_today
from workspaces.errors import ApplicationError


@admin.register(Supplier)
class SupplierAdmin(SuppliersAdmin):
    list_display = ("name", "phone", "email", "tax_number", "created_at")
    search_fields = ("name", "phone", "email", "tax_number")
    search_help_text = _("Search by name, phone, e-mail or tax number.")
    date_hierarchy = "created_at"
    fields = services.SUPPLIER_FIELDS

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else (*self.fields, "invoices_link", "created_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("invoices_link", "created_at")

    @admin.display(description=_("invoices"))
    def invoices_link(self, supplier: Supplier) -> str:
        url = reverse("admin:suppliers_supplierinvoice_changelist") + f"?supplier__id__exact={supplier.pk}"
        return format_html('<a href="{}">{}</a>', url, _("The invoices of this supplier"))

    def save_model(self, request, obj, form, change) -> None:
        workspace = obj.workspace if change else admin_access(request).workspace
        access = admin_actor(request, workspace)
        data = {name: form.cleaned_data.get(name) for name in services.SUPPLIER_FIELDS}
        if change:
            services.supplier_update(workspace=workspace, access=access, supplier=obj, data=data)
        else:
            obj.pk = services.supplier_create(workspace=workspace, access=access, data=data).pk

    def delete_model(self, request, obj) -> None:
        services.supplier_delete(
            workspace=obj.workspace, access=admin_actor(request, obj.workspace), supplier=obj
        )

    def delete_queryset(self, request, queryset) -> None:
        self.run_for_each(
            request,
            objects=queryset.select_related("workspace"),
            action=lambda s: services.supplier_delete(
                workspace=s.workspace, access=admin_actor(request, s.workspace), supplier=s
            ),
        )


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        access = admin_access(request)
        if self.value() not in ("yes", "no") or access is None:
            return queryset
        condition = overdue_q(workspace_today(access.workspace))
        return queryset.filter(condition) if self.value() == "yes" else queryset.exclude(condition)


class UnpaidFilter(admin.SimpleListFilter):
    """What is still owed (the aging report links here), or what is paid in full."""

    title = _("balance")
    parameter_name = "unpaid"

    def lookups(self, request, model_admin):
        return [("yes", _("Money remains")), ("no", _("Paid in full"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(remaining_amount__gt=0)
        if self.value() == "no":
            return queryset.filter(remaining_amount=0)
        return queryset


def _export(modeladmin, request, queryset, kind: str):
    """The API's export (`exports.download`) of the selected invoices, in the page's language; a refusal (more
    rows than a sheet holds) is a message."""
    access = admin_access(request)
    workspace = access.workspace if access else queryset.first().workspace
    try:
        return exports.download(
            queryset, workspace=workspace, kind=kind, language=exports.language_of(get_language())
        )
    except ApplicationError as exc:
        modeladmin.message_user(request, exc.message, messages.ERROR)
        return None


def _number_search(word: str) -> Q:
    """As the API's search (`selectors.invoice_list`): the normalised number, along its trigram index; a word
    longer than any number reads nothing."""
    number = normalise_invoice_number(word)
    field = SupplierInvoice._meta.get_field("invoice_number_normalised")
    return (
        Q(pk__in=[]) if longer_than_column(field, number) else Q(invoice_number_normalised__contains=number)
    )


@admin.register(SupplierInvoice)
class SupplierInvoiceAdmin(SuppliersAdmin):
    form = SupplierInvoiceForm
    list_display = (
        "invoice_number",
        "supplier_name",
        "total_display",
        "paid_display",
        "remaining_display",
        "status",
        "issue_date",
        "due_date",
    )
    list_filter = (
        "status",
        OverdueFilter,
        UnpaidFilter,
        ("supplier", related_filter(_("supplier"))),
        "issue_date",
        "due_date",
    )
    search_fields = ("invoice_number", "supplier__name", "description")
    search_help_text = _("Search by invoice number, supplier or description.")
    # As the API's search (`selectors.invoice_list`): the normalised number, along its trigram index.
    search_conditions = {"invoice_number": _number_search}
    date_hierarchy = "issue_date"
    ordering = ("-pk",)
    inlines = [PaymentInline, NewPaymentInline]
    actions = ["export_csv", "export_xlsx", "delete_selected"]
    has_export_permission = code_permission(codes.SUPPLIERS_VIEW)  # as the API's export
    # The upload's refusal (`file`) is shown beside the file field.
    service_error_fields = {"file": "scan"}
    fields = (
        "supplier",
        "invoice_number",
        "total_amount",
        "issue_date",
        "due_date",
        "description",
        "notes",
        "scan",
        "image_url",
        "scan_preview",
    )
    summary = (
        "status",
        "paid_display",
        "remaining_display",
        "currency",
        "created_by_name",
        "created_at",
        "updated_at",
    )
    # Amounts with the invoice's currency's minor digits, `.` and `,` in both languages.
    total_display = money_column("total_amount", _("total"), invoice_currency)
    paid_display = money_column("paid_amount", _("paid"), invoice_currency)
    remaining_display = money_column("remaining_amount", _("remaining"), invoice_currency)
    supplier_name = related_column("supplier", _("supplier"))
    created_by_name = actor_column(_("created by"))

    def get_fields(self, request, obj=None):
        if obj is None:
            return tuple(name for name in self.fields if name != "scan_preview")  # no scan to show yet
        return ("supplier_name", *self.fields[1:], *self.summary)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("supplier_name", "scan_preview", *self.summary)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("supplier", "created_by", "created_by_api_key")

    def get_search_results(self, request, queryset, search_term):
        """A payment's invoice is picked among those that still owe money (the payment page's autocomplete)."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "supplierpayment" and request.GET.get("field_name") == "invoice":
            queryset = queryset.filter(remaining_amount__gt=0)
        return queryset, may_have_duplicates

    def get_inline_instances(self, request, obj=None):
        """The recorded payments where there are some; the new payment's row while money remains."""
        instances = super().get_inline_instances(request, obj)
        show = {
            PaymentInline: obj is not None and obj.paid_amount > 0,
            NewPaymentInline: obj is None or obj.remaining_amount > 0,
        }
        return [inline for inline in instances if show.get(type(inline), True)]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "supplier":
            kwargs["label"] = capfirst(_("supplier"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("scan"))
    def scan_preview(self, invoice: SupplierInvoice) -> str:
        return admin_views.scan_preview(invoice)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_change_permission(request):
            actions.pop("delete_selected", None)
        return actions

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "aging/", view(partial(admin_views.aging_view, self)), name="suppliers_supplierinvoice_aging"
            ),
            path(
                "files/<str:file_name>/",
                view(partial(admin_views.file_view, self)),
                name="suppliers_supplierinvoice_file",
            ),
            *super().get_urls(),
        ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A payment row the service refused: the page again, what was typed kept, the refusal beside that row
        (its transaction, the invoice's changes included, rolled back)."""
        try:
            with admin_views.uploads_kept_when_saved():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except PaymentRowRefused as refusal:
            request._payment_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def _scan_url(self, request, form, workspace, access, supplier) -> str | None:
        """A file chosen in the form goes through the API's upload service (checked by content, WebP, quota);
        its URL becomes the invoice's `image_url`, as a client of the API would pass it."""
        scan = form.cleaned_data.get("scan")
        if not scan:
            return None
        with refusal_on(scan=error_codes.QUOTA_EXCEEDED):
            stored = services.invoice_image_store(
                workspace=workspace, access=access, supplier=supplier, upload=scan, size=scan.size
            )
        return request.build_absolute_uri(file_path(stored))

    def save_model(self, request, obj, form, change) -> None:
        """The invoice itself goes through the API's services; a refusal is shown beside its field."""
        workspace = obj.workspace if change else admin_access(request).workspace
        access = admin_actor(request, workspace)
        supplier = obj.supplier if change else form.cleaned_data["supplier"]
        data = {
            name: form.cleaned_data.get(name) for name in services.INVOICE_FIELDS if name in form.cleaned_data
        }
        for key in ("description", "notes", "image_url"):
            if key in data and not data[key]:
                data[key] = None
        scan_url = self._scan_url(request, form, workspace, access, supplier)
        with refusal_on(
            invoice_number=error_codes.DUPLICATE_INVOICE_NUMBER, total_amount=error_codes.OVERPAYMENT
        ):
            if change:
                changed = {key: value for key, value in data.items() if key in form.changed_data}
                if scan_url:
                    changed["image_url"] = scan_url
                services.supplier_invoice_update(
                    workspace=workspace, access=access, invoice=obj, data=changed
                )
            else:
                data["image_url"] = scan_url or data.get("image_url")
                invoice = services.supplier_invoice_create(
                    workspace=workspace, access=access, supplier=supplier, **data
                )
                obj.pk = invoice.pk
                obj.workspace = workspace

    def save_formset(self, request, form, formset, change) -> None:
        """Payments removed are `supplier_payment_remove`, payments added `supplier_payment_add`."""
        invoice = form.instance
        access = admin_actor(request, invoice.workspace)
        # Read by the admin's change message, as if `formset.save()` had run.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for deleted in formset.deleted_forms:
            if deleted.instance.pk:
                formset.deleted_objects.append(deleted.instance)
                services.supplier_payment_remove(
                    workspace=invoice.workspace,
                    access=access,
                    invoice=invoice,
                    payment_id=deleted.instance.pk,
                )
        for new in formset.forms:
            if new.instance.pk or not new.has_changed() or new in formset.deleted_forms:
                continue
            data = new.cleaned_data
            try:
                with refusal_on(amount=error_codes.OVERPAYMENT):
                    payment, _invoice = services.supplier_payment_add(
                        workspace=invoice.workspace,
                        access=access,
                        invoice=invoice,
                        amount=data["amount"],
                        paid_at=data.get("paid_at"),
                        method=data.get("method") or None,
                        reference=data.get("reference"),
                        notes=data.get("notes"),
                    )
            except ApplicationError as error:
                raise PaymentRowRefused(new.prefix, error) from error
            formset.new_objects.append(payment)

    def delete_model(self, request, obj) -> None:
        services.supplier_invoice_delete(
            workspace=obj.workspace, access=admin_actor(request, obj.workspace), invoice=obj
        )

    def delete_queryset(self, request, queryset) -> None:
        self.run_for_each(
            request,
            objects=queryset.select_related("workspace"),
            action=lambda i: services.supplier_invoice_delete(
                workspace=i.workspace, access=admin_actor(request, i.workspace), invoice=i
            ),
        )

    @admin.action(description=_("Export the selected invoices (CSV)"), permissions=["export"])
    def export_csv(self, request, queryset):
        return _export(self, request, queryset, "csv")

    @admin.action(description=_("Export the selected invoices (XLSX)"), permissions=["export"])
    def export_xlsx(self, request, queryset):
        return _export(self, request, queryset, "xlsx")


# Registered with the others (Django imports `suppliers.admin` only).
from suppliers import admin_payments  # noqa: E402, F401
