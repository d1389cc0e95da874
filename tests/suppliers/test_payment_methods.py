"""Supplier payments speak the POS's words (issue 16): `bank_transfer` became `transfer` (existing rows mapped by a
migration), `cheque` is one of them, a word outside them is a 400 listing them; refusals name amounts in the
currency's digits."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from suppliers import services
from suppliers.models import SupplierPayment
from tests.factories import owner_access
from workspaces.errors import ApplicationError
from workspaces.payment_methods import PaymentMethod

pytestmark = pytest.mark.django_db

migration = importlib.import_module("suppliers.migrations.0003_payment_methods_and_exact_balance")


@pytest.fixture
def payments_url(new_invoice, invoices_url):
    return f"{invoices_url}/{new_invoice()['id']}/payments"


def test_the_vocabulary_is_the_pos_one():
    assert SupplierPayment.Method is PaymentMethod  # and PosPayment.Method (tests/pos)


@pytest.mark.parametrize("method", ["cash", "card", "transfer", "cheque", "other", None])
def test_every_word_of_the_vocabulary_is_taken(accountant_client, payments_url, method):
    response = accountant_client.post(payments_url, {"amount": 10, "method": method}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["payment"]["method"] == method


@pytest.mark.parametrize("method", ["bank_transfer", "wire", "Cash", ""])
def test_another_word_is_a_400_listing_the_vocabulary(accountant_client, payments_url, method):
    response = accountant_client.post(payments_url, {"amount": 10, "method": method}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "message": response.json()["message"],
        "code": "validation_error",
        "errors": {"method": [f'"{method}" is not a valid choice: cash, card, transfer, cheque, other.']},
    }
    assert not SupplierPayment.objects.exists()


def test_the_migration_maps_bank_transfers_and_back(workspace, owner, new_invoice):
    invoice_id = int(new_invoice(totalAmount=100)["id"])
    rows = [
        SupplierPayment.objects.create(
            workspace=workspace,
            invoice_id=invoice_id,
            amount=Decimal(1),
            paid_at=timezone.now(),
            method=method,
        )
        for method in ("bank_transfer", "cheque", None, "cash")
    ]

    def methods():
        return [SupplierPayment.objects.get(pk=row.pk).method for row in rows]

    migration.forwards(apps, None)
    assert methods() == ["transfer", "cheque", None, "cash"]
    migration.backwards(apps, None)
    assert methods() == ["bank_transfer", "cheque", None, "cash"]


@pytest.mark.parametrize(
    ("currency", "total", "paid", "shown_remaining", "shown_paid"),
    [
        ("KWD", "1", "0.5", "0.500", "0.500"),
        ("JPY", "100", "40", "60", "40"),
        ("SAR", "1", "0.7", "0.30", "0.70"),
    ],
)
def test_overpayment_messages_name_amounts_in_the_currency_digits(
    workspace, owner, supplier, currency, total, paid, shown_remaining, shown_paid
):
    workspace.currency = currency
    workspace.save()
    access = owner_access(workspace)
    invoice = services.supplier_invoice_create(
        workspace=workspace,
        access=access,
        supplier=supplier,
        invoice_number="INV-1",
        total_amount=Decimal(total),
        issue_date=dt.date(2024, 1, 15),
    )
    services.supplier_payment_add(workspace=workspace, access=access, invoice=invoice, amount=Decimal(paid))
    with pytest.raises(ApplicationError) as refused:
        services.supplier_payment_add(
            workspace=workspace, access=access, invoice=invoice, amount=Decimal(total)
        )
    assert refused.value.message == f"The payment is more than the {shown_remaining} that remains to be paid."
    with pytest.raises(ApplicationError) as refused:
        services.supplier_invoice_update(
            workspace=workspace, access=access, invoice=invoice, data={"total_amount": Decimal(paid) / 2}
        )
    assert refused.value.message == f"The total cannot be less than the {shown_paid} already paid."
