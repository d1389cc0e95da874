"""Payments: the balance and status always agree with the payments; overpayment is refused and changes nothing."""

import datetime as dt

import pytest

from suppliers.models import SupplierInvoice, SupplierPayment

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(new_invoice):
    return new_invoice(totalAmount="1000.50", dueDate="2024-02-15")


@pytest.fixture
def payments_url(invoices_url, invoice):
    return f"{invoices_url}/{invoice['id']}/payments"


def test_payments_move_the_status_through_partially_paid_to_paid(accountant_client, payments_url, invoice):
    first = accountant_client.post(
        payments_url,
        {"amount": 400, "method": "transfer", "reference": "TRX-1", "paidAt": "2024-01-20T08:30:00Z"},
        format="json",
    )
    assert first.status_code == 201, first.content
    body = first.json()
    payment = SupplierPayment.objects.get()
    assert body["payment"] == {
        "id": str(payment.pk),
        "workspaceId": invoice["workspaceId"],
        "invoiceId": invoice["id"],
        "amount": 400,
        "paidAt": "2024-01-20T08:30:00.000Z",
        "method": "transfer",
        "reference": "TRX-1",
        "notes": None,
        "createdAt": body["payment"]["createdAt"],
    }
    assert {k: body["invoice"][k] for k in ("paidAmount", "remainingAmount", "status")} == {
        "paidAmount": 400,
        "remainingAmount": 600.5,
        "status": "partially_paid",
    }

    second = accountant_client.post(payments_url, {"amount": "600.50"}, format="json")
    assert second.status_code == 201
    assert {
        k: second.json()["invoice"][k] for k in ("paidAmount", "remainingAmount", "status", "isOverdue")
    } == {
        "paidAmount": 1000.5,
        "remainingAmount": 0,
        "status": "paid",
        "isOverdue": False,
    }
    assert second.json()["payment"]["method"] is None


def test_an_overpayment_is_refused_and_changes_nothing(
    accountant_client, payments_url, invoices_url, invoice
):
    accountant_client.post(payments_url, {"amount": 1000}, format="json")
    response = accountant_client.post(payments_url, {"amount": "0.51"}, format="json")
    assert response.status_code == 422
    assert response.json() == {
        "message": "The payment is more than the 0.50 that remains to be paid.",
        "code": "overpayment",
        "details": {"remainingAmount": 0.5},
    }
    after = accountant_client.get(f"{invoices_url}/{invoice['id']}").json()["invoice"]
    assert (after["paidAmount"], after["remainingAmount"], after["status"]) == (1000, 0.5, "partially_paid")
    assert SupplierPayment.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        (0, "The amount must be more than zero."),
        (-5, "The amount must be more than zero."),
        ("1.001", "The amount can have at most 2 decimal places."),
    ],
)
def test_bad_amounts_are_400(accountant_client, payments_url, amount, error):
    response = accountant_client.post(payments_url, {"amount": amount}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"amount": [error]}
    assert not SupplierPayment.objects.exists()


def test_removing_a_payment_rebalances(accountant_client, payments_url, invoice):
    first = accountant_client.post(payments_url, {"amount": 400}, format="json").json()["payment"]
    accountant_client.post(payments_url, {"amount": "600.50"}, format="json")
    response = accountant_client.delete(f"{payments_url}/{first['id']}")
    assert response.status_code == 200
    after = response.json()["invoice"]
    assert (after["paidAmount"], after["remainingAmount"], after["status"]) == (600.5, 400, "partially_paid")
    assert accountant_client.delete(f"{payments_url}/{first['id']}").status_code == 404


def test_a_payment_of_another_invoice_is_404(accountant_client, payments_url, invoices_url, new_invoice):
    other = new_invoice(invoiceNumber="OTHER")
    payment = accountant_client.post(f"{invoices_url}/{other['id']}/payments", {"amount": 1}, format="json")
    response = accountant_client.delete(f"{payments_url}/{payment.json()['payment']['id']}")
    assert response.status_code == 404
    assert SupplierPayment.objects.count() == 1


def test_an_invoice_with_payments_cannot_be_deleted(accountant_client, payments_url, invoices_url, invoice):
    accountant_client.post(payments_url, {"amount": 1}, format="json")
    response = accountant_client.delete(f"{invoices_url}/{invoice['id']}")
    assert response.status_code == 409
    assert response.json() == {
        "message": "This invoice has payments: remove them before deleting it.",
        "code": "invoice_has_payments",
    }
    assert SupplierInvoice.objects.exists()


def test_total_below_paid_is_422_and_total_change_rebalances(
    accountant_client, payments_url, invoices_url, invoice
):
    accountant_client.post(payments_url, {"amount": 500}, format="json")
    url = f"{invoices_url}/{invoice['id']}"
    refused = accountant_client.patch(url, {"totalAmount": 499}, format="json")
    assert refused.status_code == 422
    assert refused.json()["code"] == "overpayment"
    assert SupplierInvoice.objects.get().total_amount == 1000.5

    paid_off = accountant_client.patch(url, {"totalAmount": 500}, format="json").json()["invoice"]
    assert (paid_off["remainingAmount"], paid_off["status"]) == (0, "paid")
    raised = accountant_client.patch(url, {"totalAmount": 800}, format="json").json()["invoice"]
    assert (raised["remainingAmount"], raised["status"]) == (300, "partially_paid")


@pytest.mark.parametrize(
    ("today", "overdue"),
    [
        (dt.date(2024, 2, 14), False),
        (dt.date(2024, 2, 15), False),  # due today: not yet overdue
        (dt.date(2024, 2, 16), True),
    ],
)
def test_is_overdue_follows_the_workspace_today(
    accountant_client, invoices_url, invoice, frozen_today, today, overdue
):
    frozen_today(today)
    assert accountant_client.get(f"{invoices_url}/{invoice['id']}").json()["invoice"]["isOverdue"] is overdue


def test_workspace_today_is_in_its_time_zone(accountant_client, invoices_url, invoice, monkeypatch):
    from django.utils import timezone

    # 2024-02-15 22:00 UTC is already 2024-02-16 in Riyadh (UTC+3): the invoice is overdue there.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2024, 2, 15, 22, 0, tzinfo=dt.UTC))
    assert accountant_client.get(f"{invoices_url}/{invoice['id']}").json()["invoice"]["isOverdue"] is True


def test_paid_or_undated_invoices_are_never_overdue(
    accountant_client, invoices_url, new_invoice, frozen_today
):
    frozen_today(dt.date(2030, 1, 1))
    undated = new_invoice(invoiceNumber="N-1")
    paid = new_invoice(invoiceNumber="N-2", totalAmount=10, dueDate="2024-01-20")
    accountant_client.post(f"{invoices_url}/{paid['id']}/payments", {"amount": 10}, format="json")
    for invoice in (undated, paid):
        assert (
            accountant_client.get(f"{invoices_url}/{invoice['id']}").json()["invoice"]["isOverdue"] is False
        )
