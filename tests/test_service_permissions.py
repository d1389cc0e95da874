"""Every write service of the POS, the catalogue, suppliers, orders and api2 checks its own permission code
(STYLE.md: "a service checks its own permission"), whatever door the caller came through: an `Access` without the
code is a 403 naming it and writes nothing; one holding exactly the code (the owner, for `codes.OWNER`) passes."""

from __future__ import annotations

import datetime as dt
import inspect
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps

from invoicing import services as invoicing_services
from invoicing.models import Product, Tax
from orders import services as orders_services
from pos import services as pos_services
from pos.models import BusinessSession, OrderStatus, PosInvoice
from suppliers import services as suppliers_services
from suppliers.models import Supplier, SupplierInvoice
from tests.conftest import make_staff
from tests.factories import ClientFactory, StoreFactory
from tests.invoicing.factories import ProductFactory
from workspaces import codes
from workspaces.errors import ApplicationError
from workspaces.models import ApiKey, Client, Membership, Store, Workspace
from workspaces.tenancy import Access

pytestmark = pytest.mark.django_db

D = Decimal
NOW = dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC)


@dataclass
class World:
    """One workspace with a row of everything the services write, made as its owner."""

    workspace: Workspace
    store: Store
    client: Client
    product: Product
    tax: Tax
    session: BusinessSession
    draft: PosInvoice
    completed: PosInvoice
    status: OrderStatus
    supplier: Supplier
    supplier_invoice: SupplierInvoice  # with one payment
    bare_supplier: Supplier  # no invoices
    bare_supplier_invoice: SupplierInvoice  # no payments
    bare_product: Product  # on no document
    order: Any
    sales_draft: Any


def access_of(workspace: Workspace, membership: Membership) -> Access:
    return Access(workspace=workspace, user=membership.user, membership=membership, api_key=None)


def staff_access(workspace: Workspace, *permissions: str) -> Access:
    user = make_staff(workspace, *permissions)
    return access_of(workspace, user.memberships.get(workspace=workspace))


def build(workspace: Workspace, store: Store, owner) -> World:
    access = access_of(workspace, owner.memberships.get(workspace=workspace))
    client = ClientFactory(workspace=workspace)
    product = ProductFactory(workspace=workspace, price=D(10), track_stock=False)
    session = pos_services.session_open(
        workspace=workspace, access=access, store=store, opening_cash=D(0), business_date=None
    )

    def sale():
        invoice = pos_services.invoice_create(workspace=workspace, access=access, client=client, store=store)
        invoice = pos_services.invoice_add_item(
            invoice=invoice, access=access, product=product, quantity=D(1), unit_price=None, note=""
        )
        return pos_services.invoice_add_discount(
            invoice=invoice, access=access, type="percent", value=D(10), reason=""
        )

    completed = pos_services.invoice_complete(invoice=sale(), access=access, payments=None)
    supplier = Supplier.objects.create(workspace=workspace, name="Modern supplies")
    invoice = suppliers_services.supplier_invoice_create(
        workspace=workspace,
        access=access,
        supplier=supplier,
        invoice_number="INV-1",
        total_amount=D(100),
        issue_date=dt.date(2025, 1, 1),
    )
    suppliers_services.supplier_payment_add(workspace=workspace, access=access, invoice=invoice, amount=D(10))
    bare_invoice = suppliers_services.supplier_invoice_create(
        workspace=workspace,
        access=access,
        supplier=supplier,
        invoice_number="INV-2",
        total_amount=D(50),
        issue_date=dt.date(2025, 1, 1),
    )
    line = orders_services.OrderLineRequest(
        name="Coffee", quantity=D(2), unit_price=D(10), product_id=product.pk
    )
    return World(
        workspace=workspace,
        store=store,
        client=client,
        product=product,
        tax=Tax.objects.create(workspace=workspace, name="VAT", rate=D(15)),
        session=session,
        draft=sale(),
        completed=completed,
        status=OrderStatus.objects.create(workspace=workspace, label_ar="جاهز", label_en="Ready"),
        supplier=supplier,
        supplier_invoice=invoice,
        bare_supplier=Supplier.objects.create(workspace=workspace, name="Spare"),
        bare_supplier_invoice=bare_invoice,
        bare_product=ProductFactory(workspace=workspace),
        order=orders_services.order_create(
            workspace=workspace, access=access, client_id=client.pk, lines=[line], meta_fields=[]
        ),
        sales_draft=invoicing_services.sales_invoice_create(
            workspace=workspace,
            access=access,
            client_id=client.pk,
            store_id=store.pk,
            lines=[
                invoicing_services.SalesInvoiceLine(product_id=product.pk, quantity=D(1), unit_price=D(5))
            ],
            draft=True,
        ),
    )


def sales_line(w: World):
    return [invoicing_services.SalesInvoiceLine(product_id=w.product.pk, quantity=D(2), unit_price=D(5))]


Call = Callable[[World, Access], Any]
# (name, the code it needs, the other codes an allowed caller holds too, the call)
SERVICES: list[tuple[str, str, tuple[str, ...], Call]] = [
    # The POS (section 5).
    ("session_open", codes.POS_SESSIONS_MANAGE, (), lambda w, a: pos_services.session_open(
        workspace=w.workspace, access=a, store=StoreFactory(workspace=w.workspace), opening_cash=D(0),
        business_date=None)),
    ("session_close", codes.POS_SESSIONS_MANAGE, (), lambda w, a: pos_services.session_close(
        session=w.session, access=a, closing_cash=None, cancel_drafts=True)),
    ("invoice_create", codes.STORE_ORDERS_MANAGE, (), lambda w, a: pos_services.invoice_create(
        workspace=w.workspace, access=a, client=w.client, store=w.store)),
    ("invoice_add_item", codes.STORE_ORDERS_MANAGE, (), lambda w, a: pos_services.invoice_add_item(
        invoice=w.draft, access=a, product=w.product, quantity=D(1), unit_price=None, note="")),
    ("invoice_update_item", codes.STORE_ORDERS_MANAGE, (), lambda w, a: pos_services.invoice_update_item(
        invoice=w.draft, access=a, item_id=w.draft.items.get().pk, data={"quantity": D(3)})),
    ("invoice_remove_item", codes.STORE_ORDERS_MANAGE, (), lambda w, a: pos_services.invoice_remove_item(
        invoice=w.draft, access=a, item_id=w.draft.items.get().pk)),
    ("invoice_add_discount", codes.STORE_ORDERS_MANAGE, (), lambda w, a: pos_services.invoice_add_discount(
        invoice=w.draft, access=a, type="fixed", value=D(1), reason="")),
    ("invoice_remove_discount", codes.STORE_ORDERS_MANAGE, (), lambda w, a: pos_services.invoice_remove_discount(
        invoice=w.draft, access=a, discount_id=w.draft.discounts.get().pk)),
    ("invoice_set_order_status", codes.STORE_ORDERS_MANAGE, (), lambda w, a: pos_services.invoice_set_order_status(
        invoice=w.draft, access=a, order_status=w.status)),
    ("invoice_complete", codes.STORE_ORDERS_MANAGE, (), lambda w, a: pos_services.invoice_complete(
        invoice=w.draft, access=a, payments=None)),
    ("invoice_cancel (a draft)", codes.STORE_ORDERS_MANAGE, (), lambda w, a: pos_services.invoice_cancel(
        invoice=w.draft, access=a, reason="")),
    ("invoice_cancel (completed: void)", codes.POS_INVOICES_VOID, (codes.STORE_ORDERS_MANAGE,),
     lambda w, a: pos_services.invoice_cancel(invoice=w.completed, access=a, reason="")),
    ("invoice_cancel (completed, no POS code)", codes.STORE_ORDERS_MANAGE, (codes.POS_INVOICES_VOID,),
     lambda w, a: pos_services.invoice_cancel(invoice=w.completed, access=a, reason="")),
    ("return_create", codes.POS_INVOICES_VOID, (), lambda w, a: pos_services.return_create(
        invoice=w.completed, access=a, reason="damaged")),
    ("sales_sync", codes.STORE_ORDERS_MANAGE, (), lambda w, a: pos_services.sales_sync(
        workspace=w.workspace, access=a, device_id="till-1", sales=[pos_services.OfflineSale(
            client_ref=uuid.uuid4(), store_id=w.store.pk, created_at=NOW, completed_at=NOW,
            items=[pos_services.OfflineLine(product_id=w.product.pk, quantity=D(1), unit_price=D(10))],
            payments=[pos_services.PaymentInput("cash", D(10))], total=D(10))])),
    ("order_status_save (new)", codes.OWNER, (), lambda w, a: pos_services.order_status_save(
        workspace=w.workspace, access=a, status=None, data={"label_ar": "جديد"})),
    ("order_status_save (change)", codes.OWNER, (), lambda w, a: pos_services.order_status_save(
        workspace=w.workspace, access=a, status=w.status, data={"position": 3})),
    ("order_status_delete", codes.OWNER, (), lambda w, a: pos_services.order_status_delete(
        status=w.status, access=a)),
    # The catalogue and stock (section 4).
    ("tax_create", codes.CATALOG_MANAGE, (), lambda w, a: invoicing_services.tax_create(
        workspace=w.workspace, access=a, data={"name": "Excise", "rate": D(50)})),
    ("tax_update", codes.CATALOG_MANAGE, (), lambda w, a: invoicing_services.tax_update(
        tax=w.tax, access=a, data={"rate": D(5)})),
    ("product_create", codes.CATALOG_MANAGE, (), lambda w, a: invoicing_services.product_create(
        workspace=w.workspace, access=a, data={"name": "Tea", "price": D(4)})),
    ("product_update", codes.CATALOG_MANAGE, (), lambda w, a: invoicing_services.product_update(
        product=w.product, access=a, data={"price": D(11)})),
    ("product_delete", codes.CATALOG_MANAGE, (), lambda w, a: invoicing_services.product_delete(
        product=w.bare_product, access=a)),
    ("stock_adjust", codes.CATALOG_MANAGE, (), lambda w, a: invoicing_services.stock_adjust(
        workspace=w.workspace, store=w.store, product=w.product, quantity=D(5), reason="count", access=a)),
    # api2 (section 8).
    ("sales_invoice_create", codes.INVOICES_MANAGE, (), lambda w, a: invoicing_services.sales_invoice_create(
        workspace=w.workspace, access=a, client_id=w.client.pk, store_id=w.store.pk, lines=sales_line(w))),
    ("sales_invoice_update_draft", codes.INVOICES_MANAGE, (),
     lambda w, a: invoicing_services.sales_invoice_update_draft(
         invoice=w.sales_draft, access=a, client_id=w.client.pk, store_id=w.store.pk, lines=sales_line(w),
         currency=None, date=w.sales_draft.date)),
    ("sales_invoice_issue", codes.INVOICES_MANAGE, (), lambda w, a: invoicing_services.sales_invoice_issue(
        invoice=w.sales_draft, access=a)),
    # Suppliers (section 6).
    ("supplier_create", codes.SUPPLIERS_MANAGE, (), lambda w, a: suppliers_services.supplier_create(
        workspace=w.workspace, access=a, data={"name": "Bakery"})),
    ("supplier_update", codes.SUPPLIERS_MANAGE, (), lambda w, a: suppliers_services.supplier_update(
        workspace=w.workspace, access=a, supplier=w.supplier, data={"phone": "+966500000001"})),
    ("supplier_delete", codes.SUPPLIERS_MANAGE, (), lambda w, a: suppliers_services.supplier_delete(
        workspace=w.workspace, access=a, supplier=w.bare_supplier)),
    ("supplier_invoice_create", codes.SUPPLIERS_MANAGE, (), lambda w, a: suppliers_services.supplier_invoice_create(
        workspace=w.workspace, access=a, supplier=w.supplier, invoice_number="INV-3", total_amount=D(5),
        issue_date=dt.date(2025, 2, 1))),
    ("supplier_invoice_update", codes.SUPPLIERS_MANAGE, (), lambda w, a: suppliers_services.supplier_invoice_update(
        workspace=w.workspace, access=a, invoice=w.supplier_invoice, data={"notes": "checked"})),
    ("supplier_invoice_delete", codes.SUPPLIERS_MANAGE, (), lambda w, a: suppliers_services.supplier_invoice_delete(
        workspace=w.workspace, access=a, invoice=w.bare_supplier_invoice)),
    ("supplier_payment_add", codes.SUPPLIERS_MANAGE, (), lambda w, a: suppliers_services.supplier_payment_add(
        workspace=w.workspace, access=a, invoice=w.supplier_invoice, amount=D(5))),
    ("supplier_payment_remove", codes.SUPPLIERS_MANAGE, (), lambda w, a: suppliers_services.supplier_payment_remove(
        workspace=w.workspace, access=a, invoice=w.supplier_invoice,
        payment_id=w.supplier_invoice.payments.get().pk)),
    # Orders (section 7).
    ("order_create", codes.ORDERS_MANAGE, (), lambda w, a: orders_services.order_create(
        workspace=w.workspace, access=a, client_id=None, meta_fields=[],
        lines=[orders_services.OrderLineRequest(name="Tea", quantity=D(1), unit_price=D(4))])),
    ("order_cancel", codes.ORDERS_MANAGE, (), lambda w, a: orders_services.order_cancel(
        workspace=w.workspace, access=a, order_id=w.order.pk)),
    ("order_invoice_create", codes.ORDERS_MANAGE, (), lambda w, a: orders_services.order_invoice_create(
        workspace=w.workspace, access=a, order_id=w.order.pk, lines=None, meta_fields=[])),
]  # fmt: skip


def stored_rows() -> dict[str, list[dict]]:
    """Every row of the four apps whose services are checked, as stored."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for label in ("pos", "invoicing", "suppliers", "orders")
        for model in apps.get_app_config(label).get_models()
    }


def refused_callers(workspace: Workspace, code: str) -> list[Access]:
    """Staff holding every other code; for the owner's services an API key too, which holds every code but is not
    the owner."""
    callers = [staff_access(workspace, *[other for other in codes.PERMISSION_CODES if other != code])]
    if code == codes.OWNER:
        key = ApiKey.objects.create(workspace=workspace, name="Till", prefix="abcd1234", key_hash="0" * 64)
        callers.append(Access(workspace=workspace, user=None, membership=None, api_key=key))
    return callers


@pytest.mark.parametrize(("name", "code", "also", "call"), SERVICES, ids=[row[0] for row in SERVICES])
def test_a_service_refuses_a_caller_without_its_code_and_writes_nothing(
    workspace, store, owner, name, code, also, call
):
    world = build(workspace, store, owner)
    for caller in refused_callers(workspace, code):
        before = stored_rows()
        with pytest.raises(ApplicationError) as refused:
            call(world, caller)
        assert (refused.value.status_code, refused.value.code) == (403, "permission_denied"), name
        assert refused.value.details == {"permission": code}
        assert stored_rows() == before, f"{name} wrote although refused"


@pytest.mark.parametrize(("name", "code", "also", "call"), SERVICES, ids=[row[0] for row in SERVICES])
def test_a_service_lets_a_caller_holding_exactly_its_code_through(
    workspace, store, owner, name, code, also, call
):
    world = build(workspace, store, owner)
    if code == codes.OWNER:
        caller = access_of(workspace, owner.memberships.get(workspace=workspace))
    else:
        caller = staff_access(workspace, code, *also)
    call(world, caller)  # no refusal: the call does its work


def test_the_table_names_every_service_that_takes_an_access():
    """A new write service of these apps (one that takes the acting `access`) joins the table, so it is seen to
    check its code."""
    taking = {
        name
        for module in (pos_services, invoicing_services, suppliers_services, orders_services)
        for name, function in vars(module).items()
        if inspect.isfunction(function)
        and not name.startswith("_")
        and "access" in inspect.signature(function).parameters
    }
    assert taking - NOT_CHECKED == {name.split(" ")[0] for name, *_rest in SERVICES}


NOT_CHECKED = {
    "default_store",  # a read: the store a member sells in
    "actor_type",  # a read: who acted
    "invoice_image_store",  # an upload: it checks `suppliers.manage` too (`require_manage`), tested with uploads
}
