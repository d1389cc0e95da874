"""Returns of a sale (credit notes): worked examples checked by hand, refusals and Hypothesis properties."""

from dataclasses import fields
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invoicing.calculations import (
    CalculationError,
    DiscountInput,
    DocumentTotals,
    LineInput,
    TaxInput,
    calculate_document,
)
from invoicing.credit_notes import ReturnTotals, SoldLine, calculate_return
from invoicing.money import minor_unit

D = Decimal
VAT = TaxInput(key="vat", rate=D("15"), inclusive=False)
VAT_INCLUSIVE = TaxInput(key="vat-inc", rate=D("15"), inclusive=True)


def sale_of(lines: list[LineInput], discounts: list[DiscountInput], currency: str) -> DocumentTotals:
    return calculate_document(lines=lines, discounts=discounts, currency=currency)


def sold_lines(lines: list[LineInput], sale: DocumentTotals) -> list[SoldLine]:
    """The sale's lines as stored: the calculator's figures with each line's quantity and taxes."""
    return [
        SoldLine(
            quantity=line.quantity,
            subtotal=totals.subtotal,
            discount_amount=totals.discount_amount,
            tax_amount=totals.tax_amount,
            total=totals.total,
            taxes=line.taxes,
        )
        for line, totals in zip(lines, sale.lines, strict=True)
    ]


def returns_in_turn(sold: list[SoldLine], steps: list[list[Decimal]], currency: str) -> list[ReturnTotals]:
    """Each return of ``steps`` (a quantity per line) in turn, the previous ones counted as returned before."""
    before = [D(0)] * len(sold)
    results = []
    for step in steps:
        results.append(calculate_return(sold=sold, returned_before=before, returning=step, currency=currency))
        before = [done + now for done, now in zip(before, step, strict=True)]
    return results


def summary(result: ReturnTotals) -> tuple:
    """The document figures and the per-tax amounts of a return, for comparing with the written-out values."""
    return (
        result.subtotal,
        result.discount_total,
        result.tax_total,
        tuple(tax.amount for tax in result.taxes),
        result.total,
    )


def money_figures(result: ReturnTotals) -> list[Decimal]:
    """Every money figure of a return, in a fixed order: document, taxes, lines."""
    figures = [result.subtotal, result.discount_total, result.tax_total, result.total]
    for tax in result.taxes:
        figures += [tax.taxable_amount, tax.amount]
    for line in result.lines:
        figures += [getattr(line, f.name) for f in fields(line) if f.name != "quantity"]
    return figures


def assert_returns_add_up_to_the_sale(results: list[ReturnTotals], sale: DocumentTotals) -> None:
    assert sum(r.subtotal for r in results) == sale.subtotal
    assert sum(r.discount_total for r in results) == sale.discount_total
    assert sum(r.tax_total for r in results) == sale.tax_total
    assert sum(r.total for r in results) == sale.total
    for index, tax in enumerate(sale.taxes):
        assert all(r.taxes[index].key == tax.key for r in results)
        assert sum(r.taxes[index].amount for r in results) == tax.amount
        assert sum(r.taxes[index].taxable_amount for r in results) == tax.taxable_amount
    for index, line in enumerate(sale.lines):
        assert sum(r.lines[index].subtotal for r in results) == line.subtotal
        assert sum(r.lines[index].discount_amount for r in results) == line.discount_amount
        assert sum(r.lines[index].tax_amount for r in results) == line.tax_amount
        assert sum(r.lines[index].total for r in results) == line.total


# ---------------------------------------------------------------------------------------- worked examples


def test_one_line_returned_in_three_goes_exclusive_vat():
    # Sale: 4 × 11.50 = 46.00; 10 % line discount = 4.60; net 41.40; 5 % document discount = 2.07;
    # line total 39.33, discount 6.67; VAT 15 % × 39.33 = 5.8995 → 5.90; total 39.33 + 5.90 = 45.23.
    lines = [LineInput(D(4), D("11.50"), "percent", D(10), (VAT,))]
    sale = sale_of(lines, [DiscountInput("percent", D(5))], "SAR")
    assert (sale.subtotal, sale.discount_total, sale.tax_total, sale.total) == (
        D("46.00"),
        D("6.67"),
        D("5.90"),
        D("45.23"),
    )
    first, second, third = returns_in_turn(sold_lines(lines, sale), [[D(1)], [D(1)], [D(2)]], "SAR")
    # So far after 1 of 4 (f = 1/4), in halalas: total round(3933/4 = 983.25) = 983; discount round(667/4 =
    # 166.75) = 167; subtotal 983 + 167 = 1150; line tax round(590/4 = 147.5) = 148;
    # VAT round(590 × 983/3933 = 147.46) = 147; total 983 + 147 = 1130.
    assert summary(first) == (D("11.50"), D("1.67"), D("1.47"), (D("1.47"),), D("11.30"))
    assert first.lines[0].tax_amount == D("1.48")
    assert first.lines[0].total == D("9.83")
    assert first.taxes[0].taxable_amount == D("9.83")
    # So far after 2 (f = 1/2): total round(1966.5) = 1967 (this return 984); discount round(333.5) = 334 (167);
    # subtotal 984 + 167 = 1151; line tax round(295) = 295 (147); VAT round(590 × 1967/3933 = 295.08) = 295
    # (148); total 984 + 148 = 1132.
    assert summary(second) == (D("11.51"), D("1.67"), D("1.48"), (D("1.48"),), D("11.32"))
    assert second.lines[0].tax_amount == D("1.47")
    assert second.lines[0].total == D("9.84")
    # The last 2 take the remainder: total 3933 − 1967 = 1966; discount 667 − 334 = 333; subtotal 2299;
    # line tax 590 − 295 = 295; VAT 590 − 295 = 295; total 1966 + 295 = 2261.
    assert summary(third) == (D("22.99"), D("3.33"), D("2.95"), (D("2.95"),), D("22.61"))
    assert third.lines[0].tax_amount == D("2.95")
    # 11.50 + 11.51 + 22.99 = 46.00; 1.67 + 1.67 + 3.33 = 6.67; 1.47 + 1.48 + 2.95 = 5.90;
    # 11.30 + 11.32 + 22.61 = 45.23.
    assert_returns_add_up_to_the_sale([first, second, third], sale)
    assert [r.lines[0].quantity for r in (first, second, third)] == [D(1), D(1), D(2)]


def test_two_lines_returned_in_two_goes_inclusive_vat():
    # Sale: A 3 × 23.00 = 69.00, B 2 × 10.00 = 20.00, both 15 % VAT included; a fixed 5.00 document discount
    # shared 500 × 6900/8900 = 387.64 → 388 and 500 × 2000/8900 = 112.36 → 112; totals A 65.12, B 18.88;
    # VAT round((6512 + 1888) × 15/115 = 1095.65) = 10.96; line taxes A round(849.39) = 8.49, B round(246.26)
    # = 2.46; document total 65.12 + 18.88 = 84.00 (VAT inside).
    lines = [
        LineInput(D(3), D("23.00"), taxes=(VAT_INCLUSIVE,)),
        LineInput(D(2), D("10.00"), taxes=(VAT_INCLUSIVE,)),
    ]
    sale = sale_of(lines, [DiscountInput("fixed", D(5))], "SAR")
    assert [line.total for line in sale.lines] == [D("65.12"), D("18.88")]
    assert (sale.tax_total, sale.total) == (D("10.96"), D("84.00"))
    first, second = returns_in_turn(sold_lines(lines, sale), [[D(1), D(1)], [D(2), D(1)]], "SAR")
    # 1 of A (f = 1/3): total round(6512/3 = 2170.67) = 2171, discount round(388/3 = 129.33) = 129, subtotal
    # 2300, line tax round(849/3) = 283.  1 of B (f = 1/2): total 944, discount 56, subtotal 1000, tax 123.
    # VAT round(1096 × (2171 + 944)/8400 = 406.43) = 406; total 2171 + 944 = 3115 (VAT inside, not added).
    assert summary(first) == (D("33.00"), D("1.85"), D("4.06"), (D("4.06"),), D("31.15"))
    assert [(line.subtotal, line.discount_amount, line.tax_amount, line.total) for line in first.lines] == [
        (D("23.00"), D("1.29"), D("2.83"), D("21.71")),
        (D("10.00"), D("0.56"), D("1.23"), D("9.44")),
    ]
    assert first.taxes[0].taxable_amount == D("31.15")
    # The rest: A total 6512 − 2171 = 4341, discount 259, subtotal 4600, tax 566; B total 944, discount 56,
    # subtotal 1000, tax 123; VAT 1096 − 406 = 690; total 4341 + 944 = 5285.
    assert summary(second) == (D("56.00"), D("3.15"), D("6.90"), (D("6.90"),), D("52.85"))
    assert [(line.subtotal, line.discount_amount, line.tax_amount, line.total) for line in second.lines] == [
        (D("46.00"), D("2.59"), D("5.66"), D("43.41")),
        (D("10.00"), D("0.56"), D("1.23"), D("9.44")),
    ]
    # 33.00 + 56.00 = 89.00; 1.85 + 3.15 = 5.00; 4.06 + 6.90 = 10.96; 31.15 + 52.85 = 84.00.
    assert_returns_add_up_to_the_sale([first, second], sale)


def test_three_decimal_currency():
    # Sale: 3 × 1.255 = 3.765 KWD; 10 % document discount = 376.5 → 377 fils; total 3388; 5 % tax
    # round(169.4) = 169; document total 3388 + 169 = 3557.
    tax = TaxInput(key="t5", rate=D(5), inclusive=False)
    lines = [LineInput(D(3), D("1.255"), taxes=(tax,))]
    sale = sale_of(lines, [DiscountInput("percent", D(10))], "KWD")
    assert (sale.total, sale.tax_total) == (D("3.557"), D("0.169"))
    first, second = returns_in_turn(sold_lines(lines, sale), [[D(1)], [D(2)]], "KWD")
    # 1 of 3: total round(1129.33) = 1129; discount round(125.67) = 126; subtotal 1255; line tax round(56.33)
    # = 56; tax round(169 × 1129/3388 = 56.32) = 56; total 1129 + 56 = 1185.
    assert summary(first) == (D("1.255"), D("0.126"), D("0.056"), (D("0.056"),), D("1.185"))
    assert str(first.total) == "1.185"
    # The rest: total 2259, discount 251, subtotal 2510, tax 113, total 2372.
    assert summary(second) == (D("2.510"), D("0.251"), D("0.113"), (D("0.113"),), D("2.372"))
    assert_returns_add_up_to_the_sale([first, second], sale)


def test_zero_decimal_currency():
    # Sale: 3 × 333 = 999 JPY; 7 % line discount round(69.93) = 70; total 929; 10 % tax round(92.9) = 93;
    # document total 929 + 93 = 1022.
    tax = TaxInput(key="ct", rate=D(10), inclusive=False)
    lines = [LineInput(D(3), D(333), "percent", D(7), (tax,))]
    sale = sale_of(lines, [], "JPY")
    assert (sale.total, sale.tax_total) == (D(1022), D(93))
    first, second = returns_in_turn(sold_lines(lines, sale), [[D(2)], [D(1)]], "JPY")
    # 2 of 3: total round(619.33) = 619; discount round(46.67) = 47; subtotal 666; line tax round(62) = 62;
    # tax round(93 × 619/929 = 61.97) = 62; total 619 + 62 = 681.
    assert summary(first) == (D(666), D(47), D(62), (D(62),), D(681))
    assert str(first.total) == "681"
    # The rest: total 310, discount 23, subtotal 333, tax 31, total 341.
    assert summary(second) == (D(333), D(23), D(31), (D(31),), D(341))
    assert_returns_add_up_to_the_sale([first, second], sale)


def test_nothing_returned_gives_zeros_with_the_currency_digits():
    lines = [LineInput(D(2), D("5.00"), taxes=(VAT,))]
    sale = sale_of(lines, [], "SAR")
    result = calculate_return(
        sold=sold_lines(lines, sale), returned_before=[D(1)], returning=[D(0)], currency="SAR"
    )
    assert all(str(figure) == "0.00" for figure in money_figures(result))
    assert [tax.key for tax in result.taxes] == ["vat"]


# ------------------------------------------------------------------------------------------------ refusals

SOLD = [
    SoldLine(D(2), D("20.00"), D("2.00"), D("2.70"), D("18.00"), (VAT,)),
    SoldLine(D("1.5"), D("3.00"), D("0.00"), D("0.45"), D("3.00"), (VAT,)),
]


@pytest.mark.parametrize(
    ("before", "returning", "line_index"),
    [
        ([D(0), D("1.5")], [D(0), D("0.001")], 1),  # over-return after a full return
        ([D(1), D(0)], [D("1.001"), D(0)], 0),  # over-return in one go
        ([D(0), D(0)], [D(-1), D(0)], 0),  # negative return
        ([D(0), D("-0.5")], [D(0), D(1)], 1),  # negative returned-before
        ([D(0), D(0)], [2.0, D(0)], 0),  # a float
    ],
)
def test_bad_quantities_are_refused(before, returning, line_index):
    with pytest.raises(CalculationError) as error:
        calculate_return(sold=SOLD, returned_before=before, returning=returning, currency="SAR")
    assert (error.value.field, error.value.line_index) == ("quantity", line_index)


@pytest.mark.parametrize(
    ("before", "returning"),
    [([D(0)], [D(0), D(0)]), ([D(0), D(0)], [D(0)]), ([D(0), D(0), D(0)], [D(0), D(0), D(0)])],
)
def test_mismatched_lengths_are_refused(before, returning):
    with pytest.raises(CalculationError) as error:
        calculate_return(sold=SOLD, returned_before=before, returning=returning, currency="SAR")
    assert (error.value.field, error.value.line_index) == ("quantity", None)


def test_a_sold_quantity_of_zero_is_refused():
    sold = [SoldLine(D(0), D("0.00"), D("0.00"), D("0.00"), D("0.00"))]
    with pytest.raises(CalculationError) as error:
        calculate_return(sold=sold, returned_before=[D(0)], returning=[D(0)], currency="SAR")
    assert (error.value.field, error.value.line_index) == ("quantity", 0)


def test_an_unknown_currency_is_refused():
    with pytest.raises(CalculationError) as error:
        calculate_return(sold=SOLD, returned_before=[D(0)] * 2, returning=[D(1)] * 2, currency="XXX")
    assert error.value.field == "currency"


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (SoldLine(D(1), D("10.00"), D("1.00"), D("0.00"), D("8.00")), "subtotal"),  # 10 ≠ 1 + 8
        (SoldLine(D(1), D("10.00"), D("-1.00"), D("0.00"), D("11.00")), "discount"),
        (SoldLine(D(1), D("10.005"), D("0.00"), D("0.00"), D("10.005")), "subtotal"),  # more than 2 decimals
        (SoldLine(D(1), D("10.00"), D("0.00"), D("-1.50"), D("10.00"), (VAT,)), "taxes"),
        (SoldLine(D(1), D("10.00"), D("0.00"), D("1.50"), 10.0, (VAT,)), "total"),  # a float
    ],
)
def test_inconsistent_sold_figures_are_refused(line, field):
    with pytest.raises(CalculationError) as error:
        calculate_return(sold=[line], returned_before=[D(0)], returning=[D(1)], currency="SAR")
    assert (error.value.field, error.value.line_index) == (field, 0)


def test_a_tax_key_with_two_rates_is_refused():
    other_rate = TaxInput(key="vat", rate=D(5), inclusive=False)
    sold = [SOLD[0], SoldLine(D(1), D("2.00"), D("0.00"), D("0.10"), D("2.00"), (other_rate,))]
    with pytest.raises(CalculationError) as error:
        calculate_return(sold=sold, returned_before=[D(0)] * 2, returning=[D(1)] * 2, currency="SAR")
    assert (error.value.field, error.value.line_index) == ("taxes", 1)


# -------------------------------------------------------------------------------------------- properties

EXCLUSIVE_TAXES = [TaxInput("vat", D(15), False), TaxInput("excise", D("2.5"), False)]
INCLUSIVE_TAXES = [TaxInput("vat-inc", D(15), True), TaxInput("fee-inc", D(5), True)]


def decimal_of(units: int, places: int) -> Decimal:
    return D(units).scaleb(-places)


@st.composite
def sales(draw):
    """A sale built by the totals calculator: (currency, the sale, its lines as stored, quantities in thousandths)."""
    currency = draw(st.sampled_from(["SAR", "KWD", "JPY"]))
    places = minor_unit(currency)
    lines: list[LineInput] = []
    for _ in range(draw(st.integers(1, 5))):
        quantity = decimal_of(draw(st.integers(1, 20_000)), draw(st.integers(0, 3)))
        price = decimal_of(draw(st.integers(0, 100_000)), draw(st.sampled_from([0, places, 4])))
        discount = draw(st.sampled_from([None, "percent", "fixed"]))
        value = D(0)
        if discount == "percent":
            value = decimal_of(draw(st.integers(0, 10_000)), 2)
        elif discount == "fixed":
            subtotal = (
                calculate_document(lines=[LineInput(quantity, price)], currency=currency).lines[0].subtotal
            )
            value = decimal_of(draw(st.integers(0, int(subtotal.scaleb(places)))), places)
        pool = draw(st.sampled_from([EXCLUSIVE_TAXES, INCLUSIVE_TAXES]))
        taxes = tuple(draw(st.lists(st.sampled_from(pool), max_size=2, unique=True)))
        lines.append(LineInput(quantity, price, discount, value, taxes))
    discounts = [
        DiscountInput("percent", decimal_of(draw(st.integers(0, 5_000)), 2))
        if draw(st.booleans())
        else DiscountInput("fixed", decimal_of(draw(st.integers(0, 100_000)), places))
        for _ in range(draw(st.integers(0, 2)))
    ]
    sale = calculate_document(lines=lines, discounts=discounts, currency=currency)
    thousandths = [int(line.quantity.scaleb(3)) for line in lines]
    return currency, sale, sold_lines(lines, sale), thousandths


@settings(max_examples=200, deadline=None)
@given(sale=sales(), data=st.data())
def test_any_sequence_of_returns_adds_up_to_the_sale(sale, data):
    currency, totals, sold, thousandths = sale
    places = minor_unit(currency)
    left = list(thousandths)
    steps: list[list[Decimal]] = []
    for _ in range(data.draw(st.integers(0, 4), label="partial returns")):
        step = [data.draw(st.integers(0, remaining)) for remaining in left]
        left = [remaining - now for remaining, now in zip(left, step, strict=True)]
        steps.append([decimal_of(now, 3) for now in step])
    steps.append([decimal_of(remaining, 3) for remaining in left])  # the last return takes what is left

    results = returns_in_turn(sold, steps, currency)
    for result in results:
        for figure in money_figures(result):
            assert figure >= 0
            assert figure.as_tuple().exponent == -places
        for line in result.lines:
            assert line.subtotal == line.discount_amount + line.total
        exclusive_tax = sum(tax.amount for tax in result.taxes if not tax.inclusive)
        assert result.total == sum(line.total for line in result.lines) + exclusive_tax
        assert result.tax_total == sum(tax.amount for tax in result.taxes)
        assert result.subtotal == result.discount_total + sum(line.total for line in result.lines)
    assert_returns_add_up_to_the_sale(results, totals)
    for index, line in enumerate(sold):
        assert sum(r.lines[index].quantity for r in results) == line.quantity


@settings(max_examples=200, deadline=None)
@given(sale=sales(), data=st.data())
def test_figures_depend_only_on_the_cumulative_quantities(sale, data):
    currency, _, sold, thousandths = sale
    before, first, second = [], [], []
    for quantity in thousandths:
        done = data.draw(st.integers(0, quantity))
        a = data.draw(st.integers(0, quantity - done))
        before.append(done)
        first.append(a)
        second.append(data.draw(st.integers(0, quantity - done - a)))

    def figures(done: list[int], now: list[int]) -> list[Decimal]:
        result = calculate_return(
            sold=sold,
            returned_before=[decimal_of(q, 3) for q in done],
            returning=[decimal_of(q, 3) for q in now],
            currency=currency,
        )
        return money_figures(result)

    middle = [done + a for done, a in zip(before, first, strict=True)]
    together = [a + b for a, b in zip(first, second, strict=True)]
    in_two = [x + y for x, y in zip(figures(before, first), figures(middle, second), strict=True)]
    assert in_two == figures(before, together)
