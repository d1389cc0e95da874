"""The one discount rule (`workspaces.discounts`), shared by a client's standing discount and a POS discount line."""

from decimal import Decimal

import pytest

from pos.models import PosInvoiceDiscount
from workspaces.discounts import DiscountType, discount_value_validate
from workspaces.errors import ValidationFailed
from workspaces.models import Client


def test_one_discount_type_for_every_discount():
    assert Client.DiscountType is DiscountType
    assert PosInvoiceDiscount.Type is DiscountType
    assert DiscountType.values == ["percent", "fixed"]


@pytest.mark.parametrize(
    ("type_", "value", "currency", "message"),
    [
        ("percent", Decimal("-1"), "SAR", "Must be zero or more."),
        ("fixed", Decimal("-0.01"), "SAR", "Must be zero or more."),
        ("percent", Decimal("100.01"), "SAR", "A percent is at most 100."),
        ("fixed", Decimal("1.005"), "SAR", "At most 2 decimal places."),
        ("fixed", Decimal("1.0005"), "KWD", "At most 3 decimal places."),
        ("fixed", Decimal("1.5"), "JPY", "At most 0 decimal places."),
        ("fixed", Decimal("NaN"), "SAR", "Must be zero or more."),
    ],
)
def test_a_discount_value_is_refused_on_its_field(type_, value, currency, message):
    with pytest.raises(ValidationFailed) as refused:
        discount_value_validate(
            type=type_, value=value, currency=currency, field="pos_invoice_discount.value"
        )
    assert refused.value.errors == {"pos_invoice_discount.value": [message]}


@pytest.mark.parametrize(
    ("type_", "value", "currency"),
    [
        ("percent", Decimal("100"), "SAR"),
        ("percent", Decimal("12.5"), "JPY"),  # a percent has no minor digits
        ("fixed", Decimal("1.500"), "SAR"),  # trailing zeros do not count
        ("fixed", Decimal("1.125"), "KWD"),
        ("fixed", Decimal("10"), "JPY"),
    ],
)
def test_a_discount_value_in_range_passes(type_, value, currency):
    discount_value_validate(type=type_, value=value, currency=currency)


def test_an_unknown_currency_is_an_error_not_two_places():
    with pytest.raises(ValueError, match="Unknown currency: 'XYZ'"):
        discount_value_validate(type="fixed", value=Decimal("1.25"), currency="XYZ")
