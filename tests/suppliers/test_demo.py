import datetime as dt

import pytest
from django.core.management import call_command

from suppliers.models import SupplierInvoice
from suppliers.selectors import overdue_q
from workspaces.dates import workspace_today

pytestmark = pytest.mark.django_db


def test_demo_has_every_status_some_overdue_in_arabic_and_is_idempotent():
    call_command("seed_demo", "--allow-without-debug")
    call_command("seed_demo", "--allow-without-debug")
    invoices = SupplierInvoice.objects.all()
    assert invoices.count() == 6
    assert set(invoices.values_list("status", flat=True)) == {"pending", "partially_paid", "paid"}
    workspace = invoices.first().workspace
    assert invoices.filter(overdue_q(workspace_today(workspace))).count() == 3
    assert all(any("\u0600" <= ch <= "\u06ff" for ch in i.description) for i in invoices)
    assert all(i.paid_amount + i.remaining_amount == i.total_amount for i in invoices)
    assert isinstance(invoices.first().issue_date, dt.date)
