"""Suppliers in the back office: every save, delete and action goes through the API's services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from suppliers import exports, services
from suppliers.models import Supplier, SupplierInvoice, SupplierPayment
from suppliers.selectors import overdue_q
from workspaces import codes
from workspaces.admin import WorkspaceScopedAdmin, WorkspaceScopedInline
from workspaces.admin_base import code_permission
from workspaces.admin_display import money_column, person_column
from workspaces.admin_site import admin_access, admin_actor
from workspaces.dates import workspace_today
from workspaces.errors import ApplicationError


class SuppliersAdmin(WorkspaceScopedAdmin):
    """The API's codes, and the workspace's suppliers section must be on."""

    view_permission = codes.SUPPLIERS_VIEW
    change_permission = codes.SUPPLIERS_MANAGE

    def _allowed(self, request: HttpRequest, code: str | None, obj=None) -> bool:
        if not request.user.is_superuser:
            access = admin_access(request)
            if access is None or not access.workspace.suppliers_enabled:
                return False
        return super()._allowed(request, code, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ApplicationError as exc:
            from django.http import HttpResponseRedirect

            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(Supplier)
class SupplierAdmin(SuppliersAdmin):
    list_display = ("name", "phone", "email", "tax_number", "created_at")
    search_fields = ("name", "phone", "email", "tax_number")
    date_hierarchy = "created_at"
    fields = services.SUPPLIER_FIELDS

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


class PaymentInlineForm(forms.ModelForm):
    """New payments are added through the service; recorded ones are shown, never edited (remove and re-add)."""

    class Meta:
        model = SupplierPayment
        fields = ("amount", "paid_at", "method", "reference", "notes")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for field in self.fields.values():
                field.disabled = True
        else:
            self.fields["paid_at"].required = False


class PaymentInline(WorkspaceScopedInline):
    model = SupplierPayment
    form = PaymentInlineForm
    fields = ("amount", "paid_at", "method", "reference", "notes")


def _export(modeladmin, request, queryset, kind: str):
    access = admin_access(request)
    workspace = access.workspace if access else queryset.first().workspace
    today = workspace_today(workspace)
    invoices = queryset.filter(workspace=workspace)
    if kind == "xlsx":
        try:
            exports.check_xlsx_size(invoices.count())
        except ApplicationError as exc:
            modeladmin.message_user(request, exc.message, messages.ERROR)
            return None
        return FileResponse(
            exports.xlsx_file(exports.rows(invoices, today)),
            as_attachment=True,
            filename=exports.filename("xlsx", today),
        )
    response = StreamingHttpResponse(
        exports.csv_lines(exports.rows(invoices, today)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.filename("csv", today)}"'
    return response


@admin.register(SupplierInvoice)
class SupplierInvoiceAdmin(SuppliersAdmin):
    list_display = (
        "invoice_number",
        "supplier",
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
        ("supplier", admin.RelatedOnlyFieldListFilter),
        "issue_date",
        "due_date",
    )
    search_fields = ("invoice_number", "supplier__name", "description")
    date_hierarchy = "issue_date"
    list_select_related = ("supplier",)
    inlines = [PaymentInline]
    actions = ["export_csv", "export_xlsx", "delete_selected"]
    has_export_permission = code_permission(codes.SUPPLIERS_VIEW)  # as the API's export
    fields = (
        "supplier",
        "invoice_number",
        "total_amount",
        "issue_date",
        "due_date",
        "description",
        "notes",
        "image_url",
        "currency",
        "paid_display",
        "remaining_display",
        "status",
    )
    readonly_fields = ("currency", "paid_display", "remaining_display", "status")
    # Amounts with the invoice's currency's minor digits, `.` and `,` in both languages.
    total_display = money_column("total_amount", _("total"), lambda admin_, invoice: invoice.currency)
    paid_display = money_column("paid_amount", _("paid"), lambda admin_, invoice: invoice.currency)
    remaining_display = money_column(
        "remaining_amount", _("remaining"), lambda admin_, invoice: invoice.currency
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "image_url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "supplier") if obj is not None else self.readonly_fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_change_permission(request):
            actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change) -> None:
        """The invoice itself goes through the API's services; a refusal is shown on the page."""
        workspace = obj.workspace if change else admin_access(request).workspace
        access = admin_actor(request, workspace)
        data = {
            name: form.cleaned_data.get(name) for name in services.INVOICE_FIELDS if name in form.cleaned_data
        }
        for key in ("description", "notes", "image_url"):
            if key in data and not data[key]:
                data[key] = None
        if change:
            changed = {key: value for key, value in data.items() if key in form.changed_data}
            services.supplier_invoice_update(workspace=workspace, access=access, invoice=obj, data=changed)
        else:
            invoice = services.supplier_invoice_create(
                workspace=workspace, access=access, supplier=form.cleaned_data["supplier"], **data
            )
            obj.pk = invoice.pk
            obj.workspace = workspace

    def save_formset(self, request, form, formset, change) -> None:
        """Payments added inline are `supplier_payment_add`, deleted ones `supplier_payment_remove`."""
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


class PaymentAddForm(forms.ModelForm):
    class Meta:
        model = SupplierPayment
        fields = ("invoice", "amount", "paid_at", "method", "reference", "notes")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "paid_at" in self.fields:
            self.fields["paid_at"].required = False


@admin.register(SupplierPayment)
class SupplierPaymentAdmin(SuppliersAdmin):
    form = PaymentAddForm
    list_display = ("invoice", "amount_display", "method", "reference", "paid_at", "created_by_name")
    amount_display = money_column("amount", _("amount"), lambda admin_, payment: payment.invoice.currency)
    created_by_name = person_column("created_by", _("created by"))
    list_filter = ("method", "paid_at")
    search_fields = ("invoice__invoice_number", "invoice__supplier__name", "reference")
    date_hierarchy = "paid_at"
    list_select_related = ("invoice", "created_by")
    fields = ("invoice", "amount", "paid_at", "method", "reference", "notes")
    actions = ["delete_selected"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)  # recorded payments are kept as is

    def save_model(self, request, obj, form, change) -> None:
        invoice = form.cleaned_data["invoice"]
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
