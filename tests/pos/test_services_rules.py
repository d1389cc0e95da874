"""The POS rules at the service level (PRODUCT.md section 5), without the API: the draft rule, completing with
payments and change, cancelling and voiding (stock back exactly once), closing a day that has drafts."""

from decimal import Decimal

import pytest

from invoicing.models import StockMovement
from pos import error_codes, services
from pos.models import BusinessSession, PosInvoice, PosPayment
from pos.services import PaymentInput
from tests.conftest import make_staff
from tests.pos.conftest import owner_access, stock_of, stocked_product
from tests.pos.services_helpers import draft_with, open_day
from workspaces import codes
from workspaces.errors import ApplicationError
from workspaces.tenancy import Access

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def access(workspace, owner):
    return owner_access(workspace, owner)


@pytest.fixture
def day(workspace, access, store):
    return open_day(workspace, access, store)


@pytest.fixture
def coffee(workspace, store):
    return stocked_product(workspace, store, price="10", quantity="50", name="قهوة عربية")


def refused(code: str, call, *args, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as error:
        call(*args, **kwargs)
    assert error.value.code == code
    return error.value


def test_only_a_draft_changes(workspace, access, store, customer, coffee, day):
    invoice = draft_with(workspace, access, store, customer, (coffee, "1"))
    services.invoice_complete(invoice=invoice, access=access, payments=None)
    item_id = invoice.items.get().pk

    for call, kwargs in (
        (services.invoice_add_item, {"product": coffee, "quantity": D(1), "unit_price": None, "note": ""}),
        (services.invoice_update_item, {"item_id": item_id, "data": {"quantity": D(5)}}),
        (services.invoice_remove_item, {"item_id": item_id}),
        (services.invoice_add_discount, {"type": "percent", "value": D(10), "reason": ""}),
        (services.invoice_complete, {"payments": None}),
    ):
        error = refused(error_codes.INVOICE_NOT_DRAFT, call, invoice=invoice, access=access, **kwargs)
        assert error.message == "Only a draft invoice can be changed; this one is Completed.", call

    invoice.refresh_from_db()
    assert (invoice.status, invoice.total, invoice.items.get().quantity) == ("completed", D("10.000"), D(1))


def test_complete_with_cash_over_the_total_gives_change(workspace, access, store, customer, coffee, day):
    invoice = draft_with(workspace, access, store, customer, (coffee, "2"))

    invoice = services.invoice_complete(
        invoice=invoice,
        access=access,
        payments=[PaymentInput("card", D("5")), PaymentInput("cash", D("20"))],
    )

    invoice.refresh_from_db()
    assert (invoice.status, invoice.total, invoice.paid_total, invoice.change_due) == (
        "completed",
        D("20.000"),
        D("25.000"),
        D("5.000"),
    )
    assert sorted(invoice.payments.values_list("method", "amount")) == [("card", D("5")), ("cash", D("20"))]
    assert stock_of(coffee, store) == D(48)


@pytest.mark.parametrize(
    "payments",
    [
        [PaymentInput("cash", D("19.99"))],  # short
        [PaymentInput("card", D("25"))],  # only cash may exceed the total
        [PaymentInput("card", D("15")), PaymentInput("cash", D("2"))],
    ],
)
def test_payments_must_cover_the_total_and_only_cash_may_exceed_it(
    workspace, access, store, customer, coffee, day, payments
):
    invoice = draft_with(workspace, access, store, customer, (coffee, "2"))

    error = refused(
        error_codes.PAYMENT_MISMATCH,
        services.invoice_complete,
        invoice=invoice,
        access=access,
        payments=payments,
    )

    assert error.details == {"total": D("20.000"), "paid": sum((p.amount for p in payments), D(0))}
    invoice.refresh_from_db()
    assert (invoice.status, stock_of(coffee, store), PosPayment.objects.count()) == ("draft", D(50), 0)


def test_an_empty_draft_does_not_complete(workspace, access, store, customer, day):
    invoice = draft_with(workspace, access, store, customer)
    refused(
        error_codes.INVOICE_EMPTY, services.invoice_complete, invoice=invoice, access=access, payments=None
    )


def test_cancelling_a_draft_moves_no_stock(workspace, access, store, customer, coffee, day):
    invoice = draft_with(workspace, access, store, customer, (coffee, "3"))

    services.invoice_cancel(invoice=invoice, access=access, reason="Customer left")

    invoice.refresh_from_db()
    assert (invoice.status, invoice.cancel_reason, stock_of(coffee, store)) == (
        "cancelled",
        "Customer left",
        D(50),
    )
    assert not StockMovement.objects.filter(source_id=invoice.pk).exists()


def test_voiding_a_sale_puts_its_stock_back_once(workspace, access, store, customer, coffee, day):
    invoice = draft_with(workspace, access, store, customer, (coffee, "3"))
    services.invoice_complete(invoice=invoice, access=access, payments=None)
    assert stock_of(coffee, store) == D(47)

    services.invoice_cancel(invoice=invoice, access=access, reason="Wrong order")
    # A second cancel is refused and puts nothing back again.
    refused(error_codes.INVOICE_NOT_DRAFT, services.invoice_cancel, invoice=invoice, access=access, reason="")

    invoice.refresh_from_db()
    assert (invoice.status, stock_of(coffee, store)) == ("cancelled", D(50))
    assert sorted(StockMovement.objects.filter(source_id=invoice.pk).values_list("direction", "delta")) == [
        ("back", D(3)),
        ("out", D(-3)),
    ]


def test_voiding_needs_the_void_permission(workspace, owner, access, store, customer, coffee, day):
    invoice = draft_with(workspace, access, store, customer, (coffee, "1"))
    services.invoice_complete(invoice=invoice, access=access, payments=None)
    cashier = make_staff(workspace, codes.STORE_ORDERS_MANAGE, store=store)
    cashier_access = Access(
        workspace=workspace, user=cashier, membership=cashier.memberships.get(), api_key=None
    )

    with pytest.raises(ApplicationError) as error:
        services.invoice_cancel(invoice=invoice, access=cashier_access, reason="")

    assert (error.value.status_code, error.value.code, error.value.details) == (
        403,
        "permission_denied",
        {"permission": codes.POS_INVOICES_VOID},
    )
    invoice.refresh_from_db()
    assert (invoice.status, stock_of(coffee, store)) == ("completed", D(49))


def test_a_day_with_drafts_closes_only_cancelling_them(workspace, access, store, customer, coffee, day):
    sale = draft_with(workspace, access, store, customer, (coffee, "1"))
    services.invoice_complete(invoice=sale, access=access, payments=None)
    drafts = [draft_with(workspace, access, store, customer, (coffee, "1")) for _ in range(2)]

    error = refused(
        error_codes.DRAFTS_OPEN,
        services.session_close,
        session=day,
        access=access,
        closing_cash=None,
        cancel_drafts=False,
    )
    assert error.details == {"draft_ids": [str(d.pk) for d in drafts]}
    day.refresh_from_db()
    assert day.status == "open"

    closed = services.session_close(session=day, access=access, closing_cash=D("110"), cancel_drafts=True)

    assert (closed.status, closed.closing_cash) == ("closed", D("110"))
    assert list(
        PosInvoice.objects.filter(pk__in=[d.pk for d in drafts]).values_list("status", flat=True)
    ) == [
        "cancelled",
        "cancelled",
    ]
    assert closed.summary["invoiceCounts"] == {"draft": 0, "completed": 1, "cancelled": 2}
    assert (closed.summary["netSales"], closed.summary["expectedCash"], closed.summary["cashDifference"]) == (
        D("10.000"),
        D("110.000"),
        D("0.000"),
    )
    # A closed day takes no new invoice and does not close twice.
    refused(
        error_codes.SESSION_CLOSED,
        services.session_close,
        session=day,
        access=access,
        closing_cash=None,
        cancel_drafts=False,
    )
    refused(
        error_codes.NO_OPEN_SESSION,
        services.invoice_create,
        workspace=workspace,
        access=access,
        client=customer,
        store=store,
    )
    assert BusinessSession.objects.get().status == "closed"
