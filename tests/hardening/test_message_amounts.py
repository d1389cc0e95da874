"""Amounts in messages have the currency's minor digits (issue 16: "The payments (30.000) exceed the total (28.75)."
in SAR): an api2 invoice's payments over its total. The POS's and the suppliers' refusals are held in
tests/pos/test_payment_methods.py and tests/suppliers/test_payment_methods.py."""

from decimal import Decimal

import pytest
from django.utils import translation

from invoicing.services.sales_invoice_rules import SalesInvoiceLine, SalesInvoicePayment, sales_invoice_check
from tests.factories import ClientFactory, StoreFactory, WorkspaceFactory
from tests.invoicing.factories import ProductFactory, TaxFactory
from workspaces.errors import ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("currency", "paid", "message"),
    [
        ("SAR", "30.000", "The payments (30.00) exceed the total (28.75)."),
        ("KWD", "30", "The payments (30.000) exceed the total (28.750)."),
        ("JPY", "30", "The payments (30) exceed the total (29)."),
    ],
)
def test_api2_payments_over_the_total_name_both_in_the_currency_digits(currency, paid, message):
    workspace = WorkspaceFactory(currency=currency)
    vat = TaxFactory(workspace=workspace, rate=Decimal("15"), inclusive=False)
    product = ProductFactory(workspace=workspace, price=Decimal("12.5"), taxes=[vat])
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        sales_invoice_check(
            workspace=workspace,
            client_id=ClientFactory(workspace=workspace).pk,
            store_id=StoreFactory(workspace=workspace).pk,
            lines=[
                SalesInvoiceLine(
                    product_id=product.pk, quantity=Decimal(2), unit_price=Decimal("12.5"), tax1_id=vat.pk
                )
            ],
            payments=[SalesInvoicePayment(payment_method="cash", amount=Decimal(paid))],
            currency=None,
            draft=False,
            discount=Decimal(0),
            discount_amount=Decimal(0),
        )
    assert refused.value.errors == {"Payment": [message]}
