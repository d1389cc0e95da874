"""The share of an order line's absolute discount that each invoice carries: pure, no database."""

from decimal import Decimal

import pytest

from orders.calculations import line_discount_share


def share(discount, ordered, invoiced, invoiced_discount, quantity, unit_price="10", currency="SAR"):
    return line_discount_share(
        discount=Decimal(discount),
        ordered_quantity=Decimal(ordered),
        invoiced_quantity=Decimal(invoiced),
        invoiced_discount=Decimal(invoiced_discount),
        quantity=Decimal(quantity),
        unit_price=Decimal(unit_price),
        currency=currency,
    )


def test_the_whole_line_at_once_takes_the_whole_discount():
    assert share("20", "20", "0", "0", "20", "40") == Decimal("20.00")


def test_pro_rata_by_quantity_rounded_half_up():
    # 10 × 7 / 3 = 23.333.. -> 23.33; 10 × 1 / 8 = 1.25 exactly; 0.05 × 1 / 2 = 0.025 -> 0.03 (half up)
    assert share("10", "3", "0", "0", "1") == Decimal("3.33")
    assert share("10", "8", "0", "0", "1") == Decimal("1.25")
    assert share("0.05", "2", "0", "0", "1") == Decimal("0.03")


def test_the_invoice_taking_the_last_units_takes_the_remainder():
    # Three invoices of one unit each of a 10.00 discount over 3 units: 3.33, 3.33, then 3.34.
    first = share("10", "3", "0", "0", "1")
    second = share("10", "3", "1", first, "1")
    third = share("10", "3", "2", first + second, "1")
    assert (first, second, third) == (Decimal("3.33"), Decimal("3.33"), Decimal("3.34"))
    assert first + second + third == Decimal("10")


def test_shares_always_add_up_to_the_discount():
    for discount in ("0.01", "0.07", "1", "9.99", "100"):
        for steps in (["1"] * 7, ["2", "5"], ["0.5", "3.25", "3.25"], ["6.999", "0.001"]):
            invoiced = taken = Decimal(0)
            for quantity in steps:
                taken += share(discount, "7", invoiced, taken, quantity, unit_price="100")
                invoiced += Decimal(quantity)
            assert taken == Decimal(discount), (discount, steps)


def test_a_share_never_exceeds_the_invoice_lines_own_amount():
    # 3 × 0.333 = 0.999 -> a 1.00 line discounted fully; the last unit alone is worth 0.33, not 0.34.
    assert share("1", "3", "2", "0.66", "1", unit_price="0.333") == Decimal("0.33")


def test_a_share_follows_the_currency_minor_unit():
    assert share("1", "3", "0", "0", "1", currency="KWD") == Decimal("0.333")
    assert share("10", "3", "0", "0", "1", currency="JPY") == Decimal("3")


def test_no_discount_is_a_zero_share():
    assert share("0", "5", "0", "0", "2") == Decimal("0.00")


@pytest.mark.parametrize(("invoiced", "quantity"), [("0", "0"), ("0", "-1"), ("4", "2")])
def test_impossible_quantities_are_refused(invoiced, quantity):
    with pytest.raises(ValueError):
        share("1", "5", invoiced, "0", quantity)
