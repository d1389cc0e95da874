"""From the calculator to ZATCA's inputs: the XML's figures are the calculator's and UBL's arithmetic holds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invoicing.calculations import DiscountInput, LineInput, TaxInput, calculate_document
from invoicing.credit_notes import SoldLine, calculate_return
from invoicing.zatca import Document, SourceLine, VatCategory, arithmetic_errors, lines_and_totals
from tests.invoicing.zatca.documents_factory import VAT, _header
from workspaces.discounts import DiscountType

D = Decimal
VAT_INCLUSIVE = TaxInput(key="vat-inc", rate=D("15"), inclusive=True)
ZERO = TaxInput(key="zero", rate=D("0"), inclusive=False)


def _document(sources, calculation) -> Document:
    lines, totals = lines_and_totals(sources, calculation)
    return Document(lines=lines, totals=totals, **_header())


def _sale(specs, discounts=()):
    """specs: (quantity, unit price, tax, percent discount) per line."""
    inputs = [
        LineInput(
            quantity=D(quantity),
            unit_price=D(price),
            taxes=(tax,) if tax else (),
            discount_type=DiscountType.PERCENT if percent else None,
            discount_value=D(percent or 0),
        )
        for quantity, price, tax, percent in specs
    ]
    calculation = calculate_document(lines=inputs, discounts=discounts, currency="SAR")
    sources = [
        SourceLine(
            name=f"Item {index}",
            quantity=D(quantity),
            unit_price=D(price),
            tax=tax,
            category=None if tax and tax.rate else VatCategory.ZERO,
            exemption_reason_code=None if tax and tax.rate else "VATEX-SA-35",
            exemption_reason=None if tax and tax.rate else "Medicines and medical equipment",
        )
        for index, (quantity, price, tax, percent) in enumerate(specs, start=1)
    ]
    return sources, calculation


def test_inclusive_prices_are_split_so_the_customer_total_and_the_tax_stay_the_calculators():
    """A worked example where no halala needs to move: every line's gross is the calculator's line total."""
    sources, calculation = _sale(
        [("3", "11.50", VAT_INCLUSIVE, None), ("1", "9.99", VAT_INCLUSIVE, "10")],
        discounts=(DiscountInput(type=DiscountType.FIXED, value=D("2.00")),),
    )
    document = _document(sources, calculation)
    assert arithmetic_errors(document) == []
    (subtotal,) = document.totals.subtotals
    assert subtotal.tax_amount == calculation.taxes[0].amount == calculation.tax_total
    assert subtotal.taxable_amount == calculation.taxes[0].taxable_amount - calculation.taxes[0].amount
    assert document.totals.tax_inclusive == document.totals.payable == calculation.total
    for line, figures in zip(document.lines, calculation.lines, strict=True):
        assert line.rounding_amount == figures.total  # what the customer pays for the line, VAT included


def test_zero_rated_lines_form_their_own_subtotal_with_their_exemption_reason():
    sources, calculation = _sale(
        [("2", "10.00", VAT, None), ("1", "40.00", ZERO, None), ("1", "5.00", None, None)]
    )
    document = _document(sources, calculation)
    assert arithmetic_errors(document) == []
    standard, zero = document.totals.subtotals
    assert (standard.category, standard.taxable_amount, standard.tax_amount) == ("S", D("20.00"), D("3.00"))
    assert (zero.category, zero.rate, zero.taxable_amount, zero.tax_amount) == (
        "Z",
        D("0"),
        D("45.00"),
        D("0.00"),
    )
    assert zero.exemption_reason_code == "VATEX-SA-35"


def test_a_unit_price_that_cannot_state_the_line_is_written_per_base_quantity():
    sources, calculation = _sale([("3", "3.3333", VAT, None), ("2.5", "1.01", VAT, None)])
    document = _document(sources, calculation)
    first, second = document.lines
    assert (first.price_amount, first.price_base_quantity) == (D("10.00"), D("3"))
    assert (second.price_amount, second.price_base_quantity) == (D("2.53"), D("2.5"))
    assert arithmetic_errors(document) == []


def test_a_partial_return_maps_to_the_returned_lines_only():
    sources, sale = _sale([("4", "12.50", VAT, "10"), ("1", "80.00", VAT, None)])
    sold = [
        SoldLine(
            quantity=source.quantity,
            subtotal=figures.subtotal,
            discount_amount=figures.discount_amount,
            tax_amount=figures.tax_amount,
            total=figures.total,
            taxes=(VAT,),
        )
        for source, figures in zip(sources, sale.lines, strict=True)
    ]
    returned = calculate_return(
        sold=sold, returned_before=(D(0), D(0)), returning=(D(1), D(0)), currency="SAR"
    )
    returning = [
        SourceLine(name="Item 1", quantity=D(1), unit_price=D("12.50"), tax=VAT),
        SourceLine(name="Item 2", quantity=D(0), unit_price=D("80.00"), tax=VAT),  # not returned: not written
    ]
    document = _document(returning, returned)
    assert [line.name for line in document.lines] == ["Item 1"]
    assert document.totals.payable == returned.total
    assert document.totals.tax_total == returned.tax_total


def test_refusals():
    sources, calculation = _sale([("1", "10.00", VAT, None)])
    with pytest.raises(ValueError, match="one source line per"):
        lines_and_totals(sources * 2, calculation)
    with pytest.raises(ValueError, match="category"):
        lines_and_totals([SourceLine(name="x", quantity=D(1), unit_price=D(10))], calculation)
    two_taxes = calculate_document(
        lines=[
            LineInput(
                quantity=D(1),
                unit_price=D(10),
                taxes=(VAT, TaxInput(key="excise", rate=D(50), inclusive=False)),
            )
        ],
        currency="SAR",
    )
    with pytest.raises(ValueError, match="no line carries"):
        lines_and_totals(sources, two_taxes)
    with pytest.raises(ValueError, match="category S"):
        lines_and_totals(
            [SourceLine(name="x", quantity=D(1), unit_price=D(10), tax=VAT, category="Z")], calculation
        )


_amounts = st.decimals(min_value=D("0.01"), max_value=D("999.99"), places=2)
_quantities = st.decimals(min_value=D("0.001"), max_value=D("50"), places=3)


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(st.tuples(_quantities, _amounts, st.sampled_from([0, 5, 10, 50])), min_size=1, max_size=5),
    discount=st.sampled_from([0, 3, 7, 25]),
)
def test_exclusive_vat_always_meets_every_arithmetic_rule(lines, discount):
    specs = [(str(quantity), str(price), VAT, percent or None) for quantity, price, percent in lines]
    discounts = (DiscountInput(type=DiscountType.PERCENT, value=D(discount)),) if discount else ()
    sources, calculation = _sale(specs, discounts)
    if calculation.total == 0:
        return
    document = _document(sources, calculation)
    assert arithmetic_errors(document) == []
    assert document.totals.tax_total == calculation.tax_total
    assert document.totals.payable == calculation.total


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(st.tuples(_quantities, _amounts), min_size=1, max_size=5))
def test_inclusive_vat_meets_every_rule_and_keeps_the_total_and_the_tax(lines):
    specs = [(str(quantity), str(price), VAT_INCLUSIVE, None) for quantity, price in lines]
    sources, calculation = _sale(specs)
    if calculation.total == 0:
        return
    document = _document(sources, calculation)
    assert arithmetic_errors(document) == []
    assert document.totals.payable == calculation.total
    assert document.totals.tax_total == calculation.tax_total
    assert abs(document.totals.payable_rounding) <= D("0.02")
    for line, figures in zip(document.lines, calculation.lines, strict=True):
        assert abs(line.rounding_amount - figures.total) <= D("0.02")


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(
        st.tuples(st.integers(min_value=1, max_value=9), _amounts, st.sampled_from([0, 10])),
        min_size=1,
        max_size=4,
    ),
    data=st.data(),
)
def test_a_return_meets_every_rule_and_keeps_the_return_total_and_tax(lines, data):
    specs = [(str(quantity), str(price), VAT, percent or None) for quantity, price, percent in lines]
    sources, sale = _sale(specs)
    sold = [
        SoldLine(
            quantity=source.quantity,
            subtotal=figures.subtotal,
            discount_amount=figures.discount_amount,
            tax_amount=figures.tax_amount,
            total=figures.total,
            taxes=(VAT,),
        )
        for source, figures in zip(sources, sale.lines, strict=True)
    ]
    returning = [D(data.draw(st.integers(min_value=0, max_value=quantity))) for quantity, _, _ in lines]
    returned = calculate_return(
        sold=sold, returned_before=[D(0)] * len(sold), returning=returning, currency="SAR"
    )
    if returned.total == 0:
        return
    document = _document(
        [
            SourceLine(name=source.name, quantity=quantity, unit_price=source.unit_price, tax=VAT)
            for source, quantity in zip(sources, returning, strict=True)
        ],
        returned,
    )
    assert arithmetic_errors(document) == []
    assert document.totals.payable == returned.total
    assert document.totals.tax_total == returned.tax_total
