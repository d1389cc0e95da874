"""The POS in the back office: the same services as the API, never a second write path."""

from __future__ import annotations

from functools import partial

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from pos import admin_views, error_codes, selectors, services
from pos.admin_inlines import DiscountInline, EventInline, ItemInline, PaymentInline
from pos.admin_offline import OFFLINE_FILTERS, OfflineSaleMixin
from pos.admin_returns import RETURN_FIELDS, InvoiceReturnsMixin
from pos.admin_search import public_id_search
from pos.dashboard import session_figures
from pos.models import (
    BusinessSession,
    PosInvoice,
)
from pos.receipts import render_receipt
from workspaces import codes
from workspaces.admin_base import WorkspaceScopedAdmin, action_description, code_permission
from workspaces.admin_display import money_column, person_column, related_column
from workspaces.admin_lists import related_filter
from workspaces.admin_site import admin_access, admin_actor
from workspaces.errors import ApplicationError
from workspaces.templatetags.backoffice import format_money

# How many business days the invoice list's session filter offers, the latest first (a month of a one-store shop);
# an older day is reached from its own page ("The invoices of this day") or by the business-date filter.
SESSION_CHOICES = 31


def _workspace_currency(modeladmin, obj) -> str:
    return obj.workspace.currency


def _invoice_currency(modeladmin, obj) -> str:
    return obj.currency


@admin.register(BusinessSession)
class BusinessSessionAdmin(WorkspaceScopedAdmin):
    """The business days. They are opened and closed from the "Today" dashboard (`pos.admin_views`) or here; the
    page shows the day's report as a readable table (its X- or Z-report page prints it), never the JSON. Every
    member reads them (as the API's sessions and reports); opening and closing need `pos.sessions.manage`."""

    view_permission = None
    change_permission = codes.POS_SESSIONS_MANAGE
    has_manage_day_permission = code_permission(codes.POS_SESSIONS_MANAGE)
    list_display = (
        "__str__",
        "report_link",
        "opening_cash_display",
        "closing_cash_display",
        "opened_at",
        "opened_by_name",
        "closed_at",
        "closed_by_name",
    )
    list_filter = ("status", ("store", related_filter(_("store"))), "business_date")
    search_fields = ("store__name", "store__code")
    date_hierarchy = "business_date"
    fields = ("store", "business_date", "opening_cash")
    readonly_fields = (
        "store_name",
        "business_date",
        "status",
        "opening_cash_display",
        "closing_cash_display",
        "opened_at",
        "opened_by_name",
        "closed_at",
        "closed_by_name",
        "report_table",
        "invoices_link",
    )
    actions = ["close_days", "close_days_cancelling_drafts"]

    opening_cash_display = money_column("opening_cash", _("opening cash"), _workspace_currency)
    closing_cash_display = money_column("closing_cash", _("counted cash"), _workspace_currency)
    store_name = related_column("store", _("store"))
    opened_by_name = person_column("opened_by", _("opened by"))
    closed_by_name = person_column("closed_by", _("closed by"))

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("workspace", "store", "opened_by", "closed_by")

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "store":
            kwargs["label"] = _("store")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("report"))
    def report_link(self, session: BusinessSession) -> str:
        url = reverse("admin:pos_businesssession_report", args=[session.pk])
        label = _("Z-report") if session.status == BusinessSession.Status.CLOSED else _("X-report")
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("report"))
    def report_table(self, session: BusinessSession) -> str:
        """The day's figures as a small table, with a link to the printable report page."""
        report = session_figures(session=session)
        currency = session.workspace.currency
        rows = [
            (_("Sales so far") if session.status == "open" else _("Net sales"), report["netSales"]),
            (_("Expected cash"), report["expectedCash"]),
        ]
        if session.status == BusinessSession.Status.CLOSED:
            rows.append((_("Difference"), report["cashDifference"]))
        cells = format_html_join(
            "",
            '<tr><th scope="row">{}</th><td class="num" dir="ltr">{}</td></tr>',
            ((label, format_money(amount, currency) or "—") for label, amount in rows),
        )
        return format_html("<table>{}</table><p>{}</p>", cells, self.report_link(session))

    @admin.display(description=_("invoices"))
    def invoices_link(self, session: BusinessSession) -> str:
        url = reverse("admin:pos_posinvoice_changelist") + f"?session__id__exact={session.pk}"
        return format_html('<a href="{}">{}</a>', url, _("The invoices of this day"))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "open-day/<int:store_id>/",
                view(partial(admin_views.open_day_view, self)),
                name="pos_businesssession_open_day",
            ),
            path(
                "<int:session_id>/close-day/",
                view(partial(admin_views.close_day_view, self)),
                name="pos_businesssession_close_day",
            ),
            path(
                "<int:session_id>/report/",
                view(partial(admin_views.report_view, self)),
                name="pos_businesssession_report",
            ),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change) -> None:
        """Opening the day from the admin is the API's `session_open`."""
        access = admin_actor(request, obj.store.workspace)
        session = services.session_open(
            workspace=access.workspace,
            access=access,
            store=obj.store,
            opening_cash=obj.opening_cash,
            business_date=obj.business_date,
        )
        obj.pk = session.pk

    def refusal_message(self, error: ApplicationError) -> str:
        if error.code == error_codes.DRAFTS_OPEN:
            return admin_views.drafts_refusal(error)
        return error.message

    def _close(self, request, queryset, cancel_drafts: bool) -> None:
        self.run_for_each(
            request,
            action=lambda session: services.session_close(
                session=session,
                access=admin_actor(request, session.workspace),
                closing_cash=None,
                cancel_drafts=cancel_drafts,
            ),
            objects=queryset.filter(status=BusinessSession.Status.OPEN),
        )

    @admin.action(description=_("Close the selected days"), permissions=["manage_day"])
    def close_days(self, request, queryset) -> None:
        self._close(request, queryset, cancel_drafts=False)

    @admin.action(
        description=_("Close the selected days, cancelling open drafts"), permissions=["manage_day"]
    )
    def close_days_cancelling_drafts(self, request, queryset) -> None:
        self._close(request, queryset, cancel_drafts=True)


@admin.register(PosInvoice)
class PosInvoiceAdmin(OfflineSaleMixin, InvoiceReturnsMixin, WorkspaceScopedAdmin):
    """Invoices are made at the till; here they are read, given an order status (a draft), cancelled and
    printed. A completed or cancelled invoice is read-only: its page has no save button. A sale a till made offline
    is marked beside its number and has an "Offline sale" section (`pos.admin_offline`)."""

    view_permission = codes.STORE_ORDERS_MANAGE
    change_permission = codes.STORE_ORDERS_MANAGE
    # Short, with the print link second: visible without scrolling sideways at 1400 px.
    list_display = (
        "number_display",
        "receipt_link",
        "status",
        "client_name",
        "order_status_name",
        "total_display",
        "created_at",
    )
    list_filter = (
        "status",
        ("order_status", related_filter(_("order status"))),
        ("store", related_filter(_("store"))),
        # The latest days, each with its store (the label) in the same query; the chosen day always offered.
        (
            "session",
            related_filter(
                _("business session"),
                select_related=("store",),
                ordering=("-business_date", "-pk"),
                limit=SESSION_CHOICES,
            ),
        ),
        "business_date",
        # Offline sales (section 8d): fixed choices, each read along its partial index.
        *OFFLINE_FILTERS,
    )
    search_fields = ("public_id", "client__name")
    search_conditions = {"public_id": public_id_search}
    date_hierarchy = "created_at"
    # Newest first along the `(workspace, created_at)` index, which a day or a month of the hierarchy also reads.
    ordering = ("-created_at", "-pk")
    list_select_related = ("client", "order_status")
    search_help_text = _("Search by invoice number or client name.")

    class Media:
        css = {"all": ["pos/backoffice.css"]}

    inlines = [ItemInline, DiscountInline, PaymentInline, EventInline]
    actions = ["cancel_invoices"]
    # As the API: cancelling needs `store.orders.manage` (the service asks `pos.invoices.void` too for a completed
    # invoice), setting the order status too.
    has_cancel_permission = code_permission(codes.STORE_ORDERS_MANAGE)
    has_set_order_status_permission = code_permission(codes.STORE_ORDERS_MANAGE)
    fields = (
        "public_id", "receipt_link", "status", "order_status", "client_name", "store_name", "session_link", "business_date", "currency",
        "subtotal_display", "discount_total_display", "tax_total_display", "total_display", *RETURN_FIELDS,
        "paid_total_display", "change_due_display", "stock_deducted_at", "completed_at", "cancelled_at", "cancel_reason",
        "created_by_name", "created_at",
    )  # fmt: skip

    subtotal_display = money_column("subtotal", _("subtotal"), _invoice_currency)
    discount_total_display = money_column("discount_total", _("discounts"), _invoice_currency)
    tax_total_display = money_column("tax_total", _("tax"), _invoice_currency)
    total_display = money_column("total", _("total"), _invoice_currency)
    paid_total_display = money_column("paid_total", _("paid"), _invoice_currency)
    change_due_display = money_column("change_due", _("change due"), _invoice_currency)
    created_by_name = person_column("created_by", _("created by"))
    client_name = related_column("client", _("client"))
    store_name = related_column("store", _("store"))
    order_status_name = related_column("order_status", _("order status"))

    @admin.display(description=_("business session"))
    def session_link(self, invoice: PosInvoice) -> str:
        url = reverse("admin:pos_businesssession_change", args=[invoice.session_id])
        return format_html('<a href="{}">{}</a>', url, invoice.session)

    def get_fields(self, request, obj=None):
        if obj is not None and obj.status != PosInvoice.Status.DRAFT:
            return [name if name != "order_status" else "order_status_name" for name in self.fields]
        return [name for name in self.fields if name not in RETURN_FIELDS]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "order_status":
            kwargs["label"] = _("order status")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("created_by", "store", "session__store")

    def get_readonly_fields(self, request, obj=None):
        # A draft's order status may be set here (the kitchen's states, as `PATCH .../pos/invoices/:id`);
        # everything else is written at the till.
        return [name for name in self.get_fields(request, obj) if name != "order_status"]

    def has_change_permission(self, request, obj=None) -> bool:
        """A completed or cancelled invoice is read-only in the back office (no save buttons); its order status
        still follows the kitchen through the API."""
        if obj is not None and obj.status != PosInvoice.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if "order_status" in form.changed_data:
            services.invoice_set_order_status(
                invoice=obj, access=admin_actor(request, obj.workspace), order_status=obj.order_status
            )

    def save_related(self, request, form, formsets, change) -> None:
        """Inlines are read-only: nothing to save (and the change message reads that no inline row changed)."""
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @admin.display(description=_("receipt"))
    def receipt_link(self, invoice: PosInvoice) -> str:
        url = reverse("admin:pos_posinvoice_receipt", args=[invoice.pk])
        return format_html('<a href="{}" target="_blank">{}</a>', url, _("Print"))

    def get_urls(self):
        return [
            path(
                "<int:invoice_id>/receipt/",
                self.admin_site.admin_view(self.receipt_view),
                name="pos_posinvoice_receipt",
            ),
            *super().get_urls(),
        ]

    def receipt_view(self, request: HttpRequest, invoice_id: int) -> HttpResponse:
        if not self.has_view_permission(request):  # the API's receipt needs `store.orders.manage`
            raise PermissionDenied
        scoped = get_object_or_404(self.get_queryset(request).select_related("workspace"), pk=invoice_id)
        invoice = selectors.invoice_for_receipt(workspace=scoped.workspace, invoice_id=invoice_id)
        return HttpResponse(render_receipt(invoice))

    def get_actions(self, request: HttpRequest):
        """One action per order status of the chosen workspace: a completed invoice's page is read-only, but its
        order status may still change (PRODUCT.md section 5: in any status), through the API's service. The label
        is the workspace's text: a `%` in it is text (`action_description`)."""
        actions = super().get_actions(request)
        access = admin_access(request)
        if access is None or not self.has_set_order_status_permission(request):
            return actions
        for status in selectors.order_status_list(workspace=access.workspace).order_by("position", "pk"):
            name = f"set_order_status_{status.pk}"
            label = (
                status.label_ar
                if translation.get_language() == "ar"
                else (status.label_en or status.label_ar)
            )
            description = _("Set the order status: %(status)s") % {"status": action_description(label)}
            actions[name] = (partial(self._set_order_status, status=status), name, description)
        return actions

    def _set_order_status(self, modeladmin, request, queryset, *, status) -> None:
        self.run_for_each(
            request,
            action=lambda invoice: services.invoice_set_order_status(
                invoice=invoice, access=admin_actor(request, invoice.workspace), order_status=status
            ),
            objects=queryset.select_related("workspace"),
        )

    @admin.action(
        description=_("Cancel the selected invoices (a completed one is voided and its stock put back)"),
        permissions=["cancel"],
    )
    def cancel_invoices(self, request, queryset) -> None:
        self.run_for_each(
            request,
            action=lambda invoice: services.invoice_cancel(
                invoice=invoice,
                access=admin_actor(request, invoice.workspace),
                reason=str(_("Cancelled in the back office.")),
            ),
            objects=queryset.select_related("workspace"),
        )


# Registered with the others (Django imports `pos.admin` only).
from pos import admin_order_statuses  # noqa: E402, F401
