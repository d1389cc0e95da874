"""One payment-method vocabulary (issue 16): the POS takes `cheque` too, prints it in the receipt's language,
counts it in the day's report, and a word outside the vocabulary is a 400 that lists the words. A payment
mismatch names its amounts in the currency's digits."""

from decimal import Decimal

import pytest

from pos.models import PosInvoice, PosPayment
from pos.receipts import LABELS
from tests.pos.conftest import stocked_product
from tests.pos.test_receipt import ReceiptRows
from workspaces.payment_methods import PaymentMethod

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(new_invoice, invoices_url, workspace, store, vat):
    """A draft of 28.75: 25 and 15% VAT."""
    product = stocked_product(workspace, store, price="12.50", taxes=[vat], name="لاتيه")
    url = f"{invoices_url}/{new_invoice()['id']}"
    return url, product


def _sell(cashier_client, draft, payments):
    url, product = draft
    cashier_client.post(f"{url}/items", {"productId": product.pk, "quantity": 2}, format="json")
    return url, cashier_client.post(f"{url}/complete", {"payments": payments}, format="json")


def test_the_pos_and_the_suppliers_share_one_vocabulary():
    assert PosPayment.Method is PaymentMethod  # and SupplierPayment.Method (tests/suppliers)
    assert PaymentMethod.values == ["cash", "card", "transfer", "cheque", "other"]
    assert set(PaymentMethod.values) <= set(LABELS)  # the receipt prints each in Arabic and English


@pytest.mark.parametrize(
    ("language", "printed"),
    [("ar", ("شيك", "20.00")), ("en", ("Cheque", "20.00")), ("ar-en", ("شيك", "20.00", "Cheque"))],
)
def test_a_cheque_pays_and_is_printed_in_the_receipt_language(
    cashier_client, draft, workspace, language, printed
):
    workspace.receipt_language = language
    workspace.save()
    payments = [{"method": "cheque", "amount": 20}, {"method": "cash", "amount": "8.75"}]
    url, response = _sell(cashier_client, draft, payments)
    assert response.status_code == 200, response.content
    invoice = response.json()["invoice"]
    assert [(p["method"], p["amount"]) for p in invoice["payments"]] == [("cheque", 20), ("cash", 8.75)]
    rows = ReceiptRows(cashier_client.get(f"{url}/receipt").content.decode()).rows
    assert printed in rows


def test_the_day_report_counts_cheques(cashier_client, owner_client, draft, session):
    _sell(cashier_client, draft, [{"method": "cheque", "amount": "28.75"}])
    report = owner_client.get(f"/v1/workspace/{session.workspace_id}/pos/sessions/{session.pk}/report")
    assert report.json()["report"]["payments"] == {
        "cash": 0,
        "card": 0,
        "transfer": 0,
        "cheque": 28.75,
        "other": 0,
    }


def test_a_word_outside_the_vocabulary_is_a_400_listing_the_words(cashier_client, draft):
    _url, response = _sell(cashier_client, draft, [{"method": "bank_transfer", "amount": "28.75"}])
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "payments.0.method": ['"bank_transfer" is not a valid choice: cash, card, transfer, cheque, other.']
    }


def test_a_payment_mismatch_names_its_amounts_in_the_currency_digits(cashier_client, draft):
    _url, response = _sell(cashier_client, draft, [{"method": "card", "amount": "30.000"}])
    assert response.status_code == 422
    assert response.json() == {
        "message": "The payments (30.00) must cover the total (28.75); only cash may exceed it.",
        "code": "payment_mismatch",
        "details": {"total": 28.75, "paid": 30},
    }


@pytest.mark.parametrize(("currency", "total", "paid"), [("KWD", "28.750", "20.000"), ("JPY", "29", "20")])
def test_the_mismatch_digits_follow_the_currency(cashier_client, draft, workspace, currency, total, paid):
    workspace.currency = currency
    workspace.save()
    url, _product = draft
    # The draft was created in SAR; it takes the workspace's currency when it is created.
    PosInvoice.objects.filter(pk=url.rsplit("/", 1)[1]).update(currency=currency)
    _url, response = _sell(cashier_client, draft, [{"method": "card", "amount": 20}])
    assert response.status_code == 422, response.content
    assert response.json()["message"] == (
        f"The payments ({paid}) must cover the total ({total}); only cash may exceed it."
    )
    assert response.json()["details"]["total"] == Decimal(total)
