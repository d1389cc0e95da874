"""Who may do what in the back office, declared once for the walk of `tests/test_admin_permissions.py`.

Each code is read from the API view that does the same thing (`api(View, "METHOD")` returns its
`required_permissions`), so the admin and the API cannot drift apart: change a view's permission and the admin's
expectation changes with it. Where the admin has no API twin the code is written out, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.http import HttpResponse

import invoicing.api.views as catalogue_api
import invoicing.api.zatca as zatca_api
import invoicing.api2.views as api2
import orders.api.views as orders_api
import pos.api.views as pos_api
import suppliers.api.views as suppliers_api
import workspaces.api.views as workspace_api
from invoicing.models import Invoice, Product, StockLevel, StockMovement, Tax
from invoicing.zatca.models import ZatcaDevice, ZatcaDocument
from orders.models import Order, OrderInvoice
from pos.models import BusinessSession, OrderStatus, PosInvoice, PosReturn
from suppliers.models import Supplier, SupplierInvoice, SupplierPayment
from workspaces import codes
from workspaces.models import ApiKey, Client, Membership, Store, User, Workspace

NEVER = "never"  # nobody of a workspace, the owner included (a superuser's page, or a row never changed here)


def api(view: type, method: str) -> str | None:
    """The permission code the API asks of `method` on `view` (None: any member)."""
    assert hasattr(view, method.lower()), f"{view.__name__} has no {method}"
    return view.required_permissions.get(method)


def allowed(granted: frozenset[str] | None, code: str | None) -> bool:
    """`granted` None is the owner; otherwise the codes a staff member holds (their implied codes included)."""
    if code == NEVER:
        return False
    if code is None or granted is None:
        return True
    return code != codes.OWNER and code in granted


@dataclass(frozen=True)
class Pages:
    """The codes of a model's pages, and the row (`row(world)`) whose change, delete and history pages are
    walked. Reading the change page also needs only `read` (read-only when `change` is not held)."""

    read: str | None
    add: str | None
    change: str | None
    delete: str | None
    row: Callable[[Any], models.Model]


@dataclass(frozen=True)
class Action:
    """An admin action: the code it needs, the rows it is run on, and how a run shows (default: those rows
    changed or went). `post` adds fields (the confirmation of `delete_selected`)."""

    code: str | None
    rows: Callable[[Any], list[models.Model]]
    post: dict[str, str] = field(default_factory=dict)
    done: Callable[[HttpResponse], bool] | None = None


@dataclass(frozen=True)
class Custom:
    """A custom admin URL (`get_urls`): the code it needs, its arguments, and for a page that writes, the form it
    posts and what it changes (`state(world)`)."""

    code: str | None
    args: Callable[[Any], list[int]]
    post: dict[str, str] | None = None
    state: Callable[[Any], Any] | None = None


def exported(response: HttpResponse) -> bool:
    return "attachment" in response.get("Content-Disposition", "")


SUPERUSER_ONLY = Pages(NEVER, NEVER, NEVER, NEVER, row=lambda w: w.owner)

PAGES: dict[type[models.Model], Pages] = {
    # The workspaces app (workspaces/admin.py): as the API's `/workspace`, staff, stores, clients, API keys.
    Workspace: Pages(
        read=api(workspace_api.WorkspaceDetailView, "GET"),
        add=NEVER,  # workspaces are made by registering
        change=api(workspace_api.WorkspaceDetailView, "PATCH"),
        delete=NEVER,
        row=lambda w: w.workspace,
    ),
    Store: Pages(
        read=api(workspace_api.StoreListView, "GET"),
        add=api(workspace_api.StoreListView, "POST"),
        change=api(
            workspace_api.StoreListView, "POST"
        ),  # the API has no store PATCH: a store write, the owner's
        delete=NEVER,
        row=lambda w: w.store,
    ),
    Client: Pages(
        read=api(workspace_api.ClientListView, "GET"),
        add=api(workspace_api.ClientListView, "POST"),
        change=api(workspace_api.ClientDetailView, "PATCH"),
        delete=api(workspace_api.ClientDetailView, "DELETE"),
        row=lambda w: w.spare_client,
    ),
    Membership: Pages(
        read=api(workspace_api.StaffListView, "GET"),
        add=api(workspace_api.StaffListView, "POST"),
        change=api(workspace_api.StaffDetailView, "PATCH"),
        delete=api(workspace_api.StaffDetailView, "DELETE"),
        row=lambda w: w.cashier_membership,
    ),
    ApiKey: Pages(
        read=api(workspace_api.ApiKeyListView, "GET"),
        add=api(workspace_api.ApiKeyListView, "POST"),
        change=NEVER,  # a key is created or revoked, never edited
        delete=NEVER,  # the API's DELETE revokes: the `revoke` action; documents keep naming the key
        row=lambda w: w.api_key,
    ),
    User: SUPERUSER_ONLY,
    # The catalogue and stock (section 4).
    Tax: Pages(
        read=api(catalogue_api.TaxListView, "GET"),
        add=api(catalogue_api.TaxListView, "POST"),
        change=api(catalogue_api.TaxDetailView, "PATCH"),
        delete=NEVER,  # the API has no tax DELETE: documents keep a copy of it
        row=lambda w: w.tax,
    ),
    Product: Pages(
        read=api(catalogue_api.ProductListView, "GET"),
        add=api(catalogue_api.ProductListView, "POST"),
        change=api(catalogue_api.ProductDetailView, "PATCH"),
        delete=api(catalogue_api.ProductDetailView, "DELETE"),
        row=lambda w: w.spare_product,
    ),
    StockLevel: Pages(
        read=api(catalogue_api.StockListView, "GET"),
        add=NEVER,  # stock changes through the stock services only
        change=NEVER,
        delete=NEVER,
        row=lambda w: StockLevel.objects.filter(workspace=w.workspace).first(),
    ),
    StockMovement: Pages(
        read=api(catalogue_api.StockListView, "GET"),  # the ledger behind the levels: read as the levels are
        add=NEVER,
        change=NEVER,
        delete=NEVER,
        row=lambda w: StockMovement.objects.filter(workspace=w.workspace).first(),
    ),
    Invoice: Pages(
        read=api(api2.InvoiceListView, "GET"),
        add=api(api2.InvoiceListView, "POST"),
        change=api(api2.InvoiceListView, "POST"),  # api2 has no edit: a draft is written as a new one is
        delete=NEVER,
        row=lambda w: w.api2_draft,
    ),
    # ZATCA phase 2 (section 8b): a store's device is the owner's, as `GET/POST .../stores/:storeId/zatca[/onboard]`.
    ZatcaDevice: Pages(
        read=api(zatca_api.DeviceView, "GET"),
        add=NEVER,  # made by onboarding (the "Onboard" page, a custom URL)
        change=NEVER,  # written by onboarding only: keys, certificates and the chain are never edited
        delete=NEVER,  # its documents refer to it
        row=lambda w: w.zatca_device,
    ),
    ZatcaDocument: Pages(
        read=api(pos_api.InvoiceListView, "GET"),  # read by whoever reads the POS invoices it signs
        add=NEVER,  # signed when its invoice is issued
        change=NEVER,  # nothing signed ever changes
        delete=NEVER,
        row=lambda w: w.zatca_document,
    ),
    # The POS (section 5).
    BusinessSession: Pages(
        read=api(pos_api.SessionListView, "GET"),
        add=api(pos_api.SessionListView, "POST"),
        change=NEVER,  # a day is closed (an action, a page), never edited
        delete=NEVER,
        row=lambda w: w.session,
    ),
    OrderStatus: Pages(
        read=api(pos_api.OrderStatusListView, "GET"),
        add=api(pos_api.OrderStatusListView, "POST"),
        change=api(pos_api.OrderStatusDetailView, "PATCH"),
        delete=api(pos_api.OrderStatusDetailView, "DELETE"),
        row=lambda w: w.spare_status,
    ),
    PosInvoice: Pages(
        read=api(pos_api.InvoiceListView, "GET"),
        add=NEVER,  # made at the till
        change=api(pos_api.InvoiceDetailView, "PATCH"),  # a draft's order status
        delete=NEVER,
        row=lambda w: w.draft,
    ),
    PosReturn: Pages(
        read=api(pos_api.ReturnListView, "GET"),
        add=NEVER,  # made by the return service (the invoice's "Return items" page)
        change=NEVER,  # a credit note is never edited
        delete=NEVER,
        row=lambda w: w.pos_return,
    ),
    # Suppliers (section 6).
    Supplier: Pages(
        read=api(suppliers_api.SupplierListView, "GET"),
        add=api(suppliers_api.SupplierListView, "POST"),
        change=api(suppliers_api.SupplierDetailView, "PATCH"),
        delete=api(suppliers_api.SupplierDetailView, "DELETE"),
        row=lambda w: w.spare_supplier,
    ),
    SupplierInvoice: Pages(
        read=api(suppliers_api.SupplierInvoiceListView, "GET"),
        add=api(suppliers_api.SupplierInvoiceListView, "POST"),
        change=api(suppliers_api.SupplierInvoiceDetailView, "PATCH"),
        delete=api(suppliers_api.SupplierInvoiceDetailView, "DELETE"),
        row=lambda w: w.spare_supplier_invoice,
    ),
    SupplierPayment: Pages(
        read=api(suppliers_api.SupplierInvoiceDetailView, "GET"),  # payments are read with their invoice
        add=api(suppliers_api.SupplierPaymentListView, "POST"),
        change=NEVER,  # a payment is removed and added again, never edited
        delete=api(suppliers_api.SupplierPaymentDetailView, "DELETE"),
        row=lambda w: SupplierPayment.objects.filter(workspace=w.workspace).first(),
    ),
    # Orders (section 7).
    Order: Pages(
        read=api(orders_api.OrderListView, "GET"),
        add=api(orders_api.OrderListView, "POST"),
        change=api(orders_api.OrderListView, "POST"),  # a read-only page whose writes are the actions
        delete=NEVER,  # cancelled, never deleted
        row=lambda w: w.open_order,
    ),
    OrderInvoice: Pages(
        read=api(orders_api.InvoiceListView, "GET"),
        add=NEVER,  # made from an order
        change=NEVER,
        delete=NEVER,
        row=lambda w: OrderInvoice.objects.filter(workspace=w.workspace).first(),
    ),
}

# Every action but `delete_selected`, whose code is its model's `delete` (on `Pages.row`). A name ending in
# `_` stands for the actions made per row of the workspace (`set_order_status_<id>`).
ACTIONS: dict[tuple[type[models.Model], str], Action] = {
    (ApiKey, "revoke"): Action(api(workspace_api.ApiKeyDetailView, "DELETE"), rows=lambda w: [w.api_key]),
    (BusinessSession, "close_days"): Action(
        api(pos_api.SessionCloseView, "POST"), rows=lambda w: [w.quiet_session]
    ),
    (BusinessSession, "close_days_cancelling_drafts"): Action(
        api(pos_api.SessionCloseView, "POST"), rows=lambda w: [w.session]
    ),
    (PosInvoice, "cancel_invoices"): Action(api(pos_api.InvoiceCancelView, "POST"), rows=lambda w: [w.draft]),
    (PosInvoice, "set_order_status_"): Action(
        api(pos_api.InvoiceDetailView, "PATCH"), rows=lambda w: [w.draft]
    ),
    (SupplierInvoice, "export_csv"): Action(
        api(suppliers_api.InvoiceExportView, "GET"), rows=lambda w: [w.spare_supplier_invoice], done=exported
    ),
    (SupplierInvoice, "export_xlsx"): Action(
        api(suppliers_api.InvoiceExportView, "GET"), rows=lambda w: [w.spare_supplier_invoice], done=exported
    ),
    (Order, "create_invoices"): Action(
        api(orders_api.InvoiceListView, "POST"), rows=lambda w: [w.open_order]
    ),
    (Order, "cancel_orders"): Action(api(orders_api.OrderCancelView, "POST"), rows=lambda w: [w.open_order]),
    (Invoice, "issue_drafts"): Action(api(api2.InvoiceListView, "POST"), rows=lambda w: [w.api2_draft]),
}


def session_state(w) -> tuple:
    return tuple(
        BusinessSession.objects.filter(workspace=w.workspace).order_by("pk").values_list("status", flat=True)
    ) + tuple(
        PosInvoice.objects.filter(workspace=w.workspace).order_by("pk").values_list("status", flat=True)
    )


def zatca_state(w) -> tuple:
    return tuple(
        ZatcaDevice.objects.filter(workspace=w.workspace)
        .order_by("pk")
        .values_list("invoice_type", "onboarded_at", "private_key")
    )


CUSTOM_URLS: dict[str, Custom] = {
    "invoicing_zatcadevice_onboard": Custom(
        api(zatca_api.OnboardView, "POST"),
        args=lambda w: [w.zatca_device.store_id],
        post={"otp": "123345", "environment": "sandbox", "invoice_type": "1100"},
        state=zatca_state,
    ),
    "invoicing_zatcadocument_xml": Custom(
        api(pos_api.InvoiceListView, "GET"), args=lambda w: [w.zatca_document.pk]
    ),  # the signed XML, read as its document
    "pos_businesssession_open_day": Custom(
        api(pos_api.SessionListView, "POST"),
        args=lambda w: [w.idle_store.pk],
        post={"opening_cash": "10"},
        state=session_state,
    ),
    "pos_businesssession_close_day": Custom(
        api(pos_api.SessionCloseView, "POST"),
        args=lambda w: [w.session.pk],
        post={"counted_cash": "100", "cancel_drafts": "on"},
        state=session_state,
    ),
    "pos_businesssession_report": Custom(
        api(pos_api.SessionReportView, "GET"), args=lambda w: [w.session.pk]
    ),
    "invoicing_invoice_print": Custom(
        api(api2.InvoiceDetailView, "GET"), args=lambda w: [w.api2_draft.pk]
    ),  # the printed api2 invoice, read as api2's GET (a draft's page says it prints once issued)
    "pos_posinvoice_receipt": Custom(api(pos_api.InvoiceReceiptView, "GET"), args=lambda w: [w.completed.pk]),
    "pos_posreturn_print": Custom(api(pos_api.ReturnReceiptView, "GET"), args=lambda w: [w.pos_return.pk]),
    "pos_posinvoice_return": Custom(
        api(pos_api.InvoiceReturnListView, "POST"), args=lambda w: [w.completed.pk]
    ),
    "suppliers_supplierinvoice_aging": Custom(api(suppliers_api.AgingView, "GET"), args=lambda w: []),
    "suppliers_supplierinvoice_file": Custom(
        api(suppliers_api.SupplierFileView, "GET"), args=lambda w: [w.scan_name]
    ),
    "auth_user_password_change": Custom(NEVER, args=lambda w: [w.owner.pk]),  # a superuser's page
}
