"""The money properties, on whichever database runs the suite: SQLite by default (the embedded default of
`make run`), PostgreSQL in CI. SQLite keeps decimals as binary floats in SQL, so a CHECK or a query that adds or
subtracts decimal columns there is inexact (issue 16: a supplier payment of 0.1 on an invoice of 0.3 answered
409 `conflict`, every time). Every figure below must come out exactly as decimal arithmetic says."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoicing.models import StockMovement
from invoicing.services import stock_adjust
from pos import services as pos
from pos.models import PosInvoice
from pos.selectors import session_report
from suppliers import services as suppliers
from suppliers.models import Supplier, SupplierInvoice
from tests.conftest import client_for
from tests.factories import ClientFactory, StoreFactory, owner_access
from tests.invoicing.factories import ProductFactory, stock_keeper

pytestmark = pytest.mark.django_db

D = Decimal
EXAMPLES = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# SAR amounts of 0.01 to 99.99: the tenths and hundredths that binary floats cannot hold.
cents = st.integers(1, 9_999).map(lambda n: D(n).scaleb(-2))
prices = st.integers(1, 99_999).map(lambda n: D(n).scaleb(-4))  # up to 4 decimals
quantities = st.integers(1, 9_999).map(lambda n: D(n).scaleb(-3))  # up to 3 decimals
_numbers = itertools.count(1)


def _balance(invoice: SupplierInvoice) -> tuple[Decimal, Decimal, str]:
    invoice = SupplierInvoice.objects.get(pk=invoice.pk)  # as stored, read back
    return invoice.paid_amount, invoice.remaining_amount, invoice.status


@pytest.fixture
def supplier(workspace):
    return Supplier.objects.create(workspace=workspace, name="مؤسسة التوريدات الحديثة")


@pytest.fixture
def invoice_of(workspace, owner, supplier):
    def create(total: Decimal) -> SupplierInvoice:
        return suppliers.supplier_invoice_create(
            workspace=workspace,
            access=owner_access(workspace),
            supplier=supplier,
            invoice_number=f"INV-{next(_numbers)}",
            total_amount=total,
            issue_date=dt.date(2024, 1, 15),
        )

    return create


# --- Supplier payments ---------------------------------------------------------------------------------------


def test_a_tenth_and_two_tenths_pay_off_three_tenths_through_the_api(workspace, owner, supplier):
    api = client_for(owner)
    invoices = f"/v1/workspace/{workspace.pk}/suppliers/{supplier.pk}/invoices"
    created = api.post(
        invoices, {"invoiceNumber": "INV-0.3", "totalAmount": 0.3, "issueDate": "2024-01-15"}, format="json"
    )
    assert created.status_code == 201, created.content
    payments = f"{invoices}/{created.json()['invoice']['id']}/payments"

    first = api.post(payments, {"amount": 0.1, "method": "cash"}, format="json")
    assert first.status_code == 201, first.content
    balance = {k: first.json()["invoice"][k] for k in ("paidAmount", "remainingAmount", "status")}
    assert balance == {"paidAmount": 0.1, "remainingAmount": 0.2, "status": "partially_paid"}

    second = api.post(payments, {"amount": "0.2", "method": "transfer"}, format="json")
    assert second.status_code == 201, second.content
    balance = {k: second.json()["invoice"][k] for k in ("paidAmount", "remainingAmount", "status")}
    assert balance == {"paidAmount": 0.3, "remainingAmount": 0, "status": "paid"}

    overpaid = api.post(payments, {"amount": 0.01}, format="json")
    assert overpaid.status_code == 422
    assert overpaid.json()["message"] == "The payment is more than the 0.00 that remains to be paid."


def test_a_patch_of_the_total_rebalances_exactly(workspace, owner, supplier, invoice_of):
    api = client_for(owner)
    invoice = invoice_of(D("0.3"))
    url = f"/v1/workspace/{workspace.pk}/suppliers/{supplier.pk}/invoices/{invoice.pk}"
    assert api.post(f"{url}/payments", {"amount": 0.1}, format="json").status_code == 201

    raised = api.patch(url, {"totalAmount": 0.7}, format="json")
    assert raised.status_code == 200, raised.content
    assert (raised.json()["invoice"]["remainingAmount"], raised.json()["invoice"]["status"]) == (
        0.6,
        "partially_paid",
    )
    paid_off = api.patch(url, {"totalAmount": "0.10"}, format="json")
    assert paid_off.status_code == 200, paid_off.content
    assert (paid_off.json()["invoice"]["remainingAmount"], paid_off.json()["invoice"]["status"]) == (
        0,
        "paid",
    )
    assert _balance(invoice) == (D("0.1"), D(0), "paid")

    refused = api.patch(url, {"totalAmount": 0.09}, format="json")
    assert refused.status_code == 422
    assert refused.json()["message"] == "The total cannot be less than the 0.10 already paid."


@EXAMPLES
@given(amounts=st.lists(cents, min_size=1, max_size=6), left=st.sampled_from([D(0), D("0.01"), D("0.3")]))
def test_supplier_payments_add_up_exactly(workspace, owner, invoice_of, amounts, left):
    total = sum(amounts, D(0)) + left
    invoice = invoice_of(total)
    paid = D(0)
    for amount in amounts:
        suppliers.supplier_payment_add(
            workspace=workspace, access=owner_access(workspace), invoice=invoice, amount=amount
        )
        paid += amount
        status = "paid" if paid == total else "partially_paid"
        assert _balance(invoice) == (paid, total - paid, status)
    # Removing the first payment and paying it again lands on the same balance.
    first = invoice.payments.order_by("pk").first()
    suppliers.supplier_payment_remove(
        workspace=workspace, access=owner_access(workspace), invoice=invoice, payment_id=first.pk
    )
    rest = paid - amounts[0]
    assert _balance(invoice) == (rest, left + amounts[0], "partially_paid" if rest else "pending")
    suppliers.supplier_payment_add(
        workspace=workspace, access=owner_access(workspace), invoice=invoice, amount=amounts[0]
    )
    assert _balance(invoice) == (total - left, left, "paid" if left == 0 else "partially_paid")


@EXAMPLES
@given(paid=cents, total=cents)
def test_a_new_total_rebalances_exactly_or_is_refused(workspace, owner, invoice_of, paid, total):
    invoice = invoice_of(paid + D("0.3"))
    suppliers.supplier_payment_add(
        workspace=workspace, access=owner_access(workspace), invoice=invoice, amount=paid
    )
    if total < paid:
        with pytest.raises(Exception, match="already paid"):
            suppliers.supplier_invoice_update(
                workspace=workspace,
                access=owner_access(workspace),
                invoice=invoice,
                data={"total_amount": total},
            )
        assert _balance(invoice) == (paid, D("0.3"), "partially_paid")
        return
    suppliers.supplier_invoice_update(
        workspace=workspace, access=owner_access(workspace), invoice=invoice, data={"total_amount": total}
    )
    assert _balance(invoice) == (paid, total - paid, "paid" if total == paid else "partially_paid")


# --- POS totals and stock ------------------------------------------------------------------------------------


def _open_day(workspace):
    store = StoreFactory(workspace=workspace)
    access = owner_access(workspace)
    session = pos.session_open(
        workspace=workspace, access=access, store=store, opening_cash=D("0.1"), business_date=None
    )
    return store, session, access


def _sale(workspace, store, access, lines, payments=None) -> PosInvoice:
    invoice = pos.invoice_create(
        workspace=workspace, access=access, client=ClientFactory(workspace=workspace), store=store
    )
    for product, quantity in lines:
        invoice = pos.invoice_add_item(
            invoice=invoice, access=access, product=product, quantity=quantity, unit_price=None, note=""
        )
    return pos.invoice_complete(invoice=invoice, access=access, payments=payments)


def test_pos_totals_of_tenths_are_exact_in_the_sale_and_the_day_report(workspace, owner):
    store, session, access = _open_day(workspace)
    tenth = ProductFactory(workspace=workspace, price=D("0.1"), track_stock=False)
    two_tenths = ProductFactory(workspace=workspace, price=D("0.2"), track_stock=False)
    paid_by_card = [pos.PaymentInput("card", D("0.1")), pos.PaymentInput("cheque", D("0.2"))]
    sold = _sale(workspace, store, access, [(tenth, D(1)), (two_tenths, D(1))], paid_by_card)
    assert (sold.total, sold.paid_total, sold.change_due) == (D("0.3"), D("0.3"), D(0))
    cash = _sale(workspace, store, access, [(tenth, D(3))], [pos.PaymentInput("cash", D("0.4"))])
    assert (cash.total, cash.change_due) == (D("0.3"), D("0.1"))

    report = session_report(session=session, counted_cash=D("0.4"))
    assert report["netSales"] == D("0.6")
    assert report["payments"] == {
        "cash": D("0.4"),
        "card": D("0.1"),
        "transfer": D(0),
        "cheque": D("0.2"),
        "other": D(0),
    }
    assert report["expectedCash"] == D("0.4")  # 0.1 opening + 0.4 taken - 0.1 change
    assert report["cashDifference"] == D(0)


@EXAMPLES
@given(lines=st.lists(st.tuples(prices, quantities), min_size=1, max_size=4), card_share=st.integers(0, 100))
def test_pos_payments_cover_the_total_exactly(workspace, owner, lines, card_share):
    store, session, access = _open_day(workspace)
    products = [
        (ProductFactory(workspace=workspace, price=price, track_stock=False), q) for price, q in lines
    ]
    draft = pos.invoice_create(
        workspace=workspace, access=access, client=ClientFactory(workspace=workspace), store=store
    )
    for product, quantity in products:
        draft = pos.invoice_add_item(
            invoice=draft, access=access, product=product, quantity=quantity, unit_price=None, note=""
        )
    total = PosInvoice.objects.get(pk=draft.pk).total
    card = (total * card_share / 100).quantize(D("0.01"), rounding=ROUND_DOWN)
    payments = [
        p for p in (pos.PaymentInput("card", card), pos.PaymentInput("transfer", total - card)) if p.amount
    ]
    sold = pos.invoice_complete(invoice=draft, access=access, payments=payments)
    assert (sold.paid_total, sold.change_due) == (total, D(0))
    report = session_report(session=session, counted_cash=None)
    assert report["netSales"] == total
    assert sum(report["payments"].values(), D(0)) == total
    assert (report["payments"]["card"], report["payments"]["transfer"]) == (card, total - card)


def _level(product, store) -> Decimal:
    level = product.stock_levels.get(store=store)
    ledger = StockMovement.objects.filter(product=product, store=store).values_list("delta", flat=True)
    assert level.quantity == sum(ledger, D(0))  # the level equals its ledger, added up exactly
    return level.quantity


def test_stock_of_a_tenth_and_two_tenths_sells_three_tenths(workspace, owner):
    store, _session, access = _open_day(workspace)
    product = ProductFactory(workspace=workspace, price=D("5"))
    for quantity in (D("0.1"), D("0.2")):
        stock_adjust(
            workspace=workspace,
            store=store,
            product=product,
            quantity=quantity,
            reason="count",
            access=stock_keeper(workspace),
        )
    assert _level(product, store) == D("0.3")
    _sale(workspace, store, access, [(product, D("0.1"))])
    _sale(workspace, store, access, [(product, D("0.2"))])  # not `insufficient_stock`: exactly 0.2 remain
    assert _level(product, store) == D(0)


@EXAMPLES
@given(received=st.lists(quantities, min_size=1, max_size=5), sold_first=st.integers(0, 4))
def test_stock_adjusted_in_pieces_sells_out_to_exactly_zero(workspace, owner, received, sold_first):
    store, _session, access = _open_day(workspace)
    product = ProductFactory(workspace=workspace, price=D("1"))
    for quantity in received:
        stock_adjust(
            workspace=workspace,
            store=store,
            product=product,
            quantity=quantity,
            reason="count",
            access=stock_keeper(workspace),
        )
    total = sum(received, D(0))
    assert _level(product, store) == total
    # Sold in other pieces than it came in: first some of the deliveries, then the rest as one line.
    first = sum(received[: sold_first % len(received)], D(0))
    if first:
        _sale(workspace, store, access, [(product, first)])
        assert _level(product, store) == total - first
    _sale(workspace, store, access, [(product, total - first)])
    assert _level(product, store) == D(0)
