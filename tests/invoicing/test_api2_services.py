"""The sales invoice services the admin uses beside the API: editing a draft and issuing it."""

from decimal import Decimal

import pytest

from invoicing.models import StockLevel, StockMovement
from invoicing.services.sales_invoices import (
    SalesInvoiceLine,
    sales_invoice_create,
    sales_invoice_issue,
    sales_invoice_update_draft,
)
from tests.conftest import make_staff
from tests.factories import ClientFactory
from tests.invoicing.factories import ProductFactory, StockLevelFactory
from workspaces import codes
from workspaces.errors import ApplicationError, ValidationFailed
from workspaces.tenancy import Access

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(workspace, store):
    product = ProductFactory(workspace=workspace)
    StockLevelFactory(workspace=workspace, store=store, product=product, quantity=Decimal("5"))
    clerk = make_staff(workspace, codes.INVOICES_MANAGE)
    access = Access(workspace=workspace, user=clerk, membership=clerk.memberships.get(), api_key=None)
    return access, ClientFactory(workspace=workspace), product


def create(workspace, store, setting, *, quantity="2", draft=True):
    access, client, product = setting
    return sales_invoice_create(
        workspace=workspace,
        access=access,
        client_id=client.pk,
        store_id=store.pk,
        lines=[SalesInvoiceLine(product_id=product.pk, quantity=Decimal(quantity), unit_price=Decimal("10"))],
        draft=draft,
    )


def update(invoice, store, setting, *, quantity="3"):
    access, client, product = setting
    return sales_invoice_update_draft(
        invoice=invoice,
        access=access,
        client_id=client.pk,
        store_id=store.pk,
        lines=[SalesInvoiceLine(product_id=product.pk, quantity=Decimal(quantity), unit_price=Decimal("10"))],
        currency=None,
        date=invoice.date,
    )


def test_a_draft_is_issued_once_and_its_stock_leaves_once(workspace, store, setting):
    draft = create(workspace, store, setting)

    sales_invoice_issue(invoice=draft, access=setting[0])
    with pytest.raises(ApplicationError) as again:
        sales_invoice_issue(invoice=draft, access=setting[0])

    assert again.value.code == "invoice_not_draft"
    assert StockLevel.objects.get(product=setting[2]).quantity == 3
    assert StockMovement.objects.count() == 1


def test_issuing_with_short_stock_changes_nothing(workspace, store, setting):
    draft = create(workspace, store, setting, quantity="6")

    with pytest.raises(ValidationFailed) as refused:
        sales_invoice_issue(invoice=draft, access=setting[0])

    assert refused.value.errors == {"InvoiceItem.0.quantity": ["insufficient stock"]}
    draft.refresh_from_db()
    assert draft.draft is True
    assert not StockMovement.objects.exists()


def test_only_a_draft_can_be_edited(workspace, store, setting):
    issued = create(workspace, store, setting, draft=False)

    with pytest.raises(ApplicationError) as refused:
        update(issued, store, setting)

    assert refused.value.code == "invoice_not_draft"
    assert issued.items.get().quantity == 2


def test_editing_a_draft_keeps_its_number_and_recomputes_it(workspace, store, setting):
    draft = create(workspace, store, setting)

    edited = update(draft, store, setting, quantity="4")

    assert (edited.no, edited.summary_total) == ("000001", 40)
    assert [item.total for item in edited.items.all()] == [40]
