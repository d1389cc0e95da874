"""Currency table and money rounding helpers (pure Python, no database)."""

from decimal import Decimal

import pytest

from invoicing.money import (
    MONEY_DECIMAL_PLACES,
    MONEY_MAX_DIGITS,
    PRICE_DECIMAL_PLACES,
    PRICE_MAX_DIGITS,
    QUANTITY_DECIMAL_PLACES,
    QUANTITY_MAX_DIGITS,
    has_at_most_places,
    minor_unit,
    money_quantum,
    quantize_money,
)
from workspaces.currencies import CURRENCY_MINOR_UNITS, is_valid_currency

# ------------------------------------------------------------------------------------------ currency table


def test_table_shape():
    assert len(CURRENCY_MINOR_UNITS) > 150
    for code, places in CURRENCY_MINOR_UNITS.items():
        assert len(code) == 3 and code.isascii() and code.isalpha() and code.isupper(), code
        assert places in (0, 2, 3), code


@pytest.mark.parametrize(
    ("code", "places"),
    [
        ("SAR", 2),
        ("EGP", 2),
        ("AED", 2),
        ("USD", 2),
        ("EUR", 2),
        ("GBP", 2),
        ("QAR", 2),
        ("KWD", 3),
        ("BHD", 3),
        ("OMR", 3),
        ("JOD", 3),
        ("IQD", 3),
        ("LYD", 3),
        ("TND", 3),
        ("JPY", 0),
        ("KRW", 0),
        ("CLP", 0),
        ("VND", 0),
        ("ISK", 0),
        ("UGX", 0),
        ("XAF", 0),
        ("XOF", 0),
        ("XPF", 0),
    ],
)
def test_known_minor_units(code, places):
    assert CURRENCY_MINOR_UNITS[code] == places
    assert minor_unit(code) == places


@pytest.mark.parametrize(
    "code", ["XAU", "XAG", "XPT", "XPD", "XTS", "XXX", "XDR", "XBA", "BOV", "CLF", "USN", "UYI", "HRK"]
)
def test_funds_metals_testing_and_withdrawn_codes_are_absent(code):
    assert code not in CURRENCY_MINOR_UNITS
    assert not is_valid_currency(code)


@pytest.mark.parametrize("code", ["BGN", "ANG", "SLL", "CUC"])
def test_a_withdrawn_code_is_no_longer_offered_but_its_documents_still_read(code):
    assert not is_valid_currency(code)
    assert minor_unit(code) == 2


def test_the_arab_accounting_dinar_is_a_unit_of_account_not_a_currency_to_invoice_in():
    assert not is_valid_currency("XAD")


@pytest.mark.parametrize("code", ["SAR", "KWD", "JPY", "USD", "XCG", "ZWG"])
def test_is_valid_currency_true(code):
    assert is_valid_currency(code)


@pytest.mark.parametrize(
    "code",
    ["sar", "Sar", "SA", "SARR", " SAR", "SAR ", "", "ＳＡＲ", "S4R", "ABC", None, 682, b"SAR", ["SAR"]],
)
def test_is_valid_currency_false(code):
    assert is_valid_currency(code) is False


# ------------------------------------------------------------------------------------------------ constants


def test_storage_constants():
    assert PRICE_DECIMAL_PLACES == 4
    assert QUANTITY_DECIMAL_PLACES == 3
    assert MONEY_MAX_DIGITS == 18
    assert PRICE_MAX_DIGITS == 18
    assert QUANTITY_MAX_DIGITS == 15
    assert MONEY_DECIMAL_PLACES == 3 == max(CURRENCY_MINOR_UNITS.values())


# -------------------------------------------------------------------------------------------------- helpers


@pytest.mark.parametrize("code", ["XYZ", "sar", "", None])
def test_unknown_currency_raises_value_error(code):
    with pytest.raises(ValueError):
        minor_unit(code)
    with pytest.raises(ValueError):
        money_quantum(code)
    with pytest.raises(ValueError):
        quantize_money(Decimal("1"), code)


@pytest.mark.parametrize(("code", "quantum"), [("SAR", "0.01"), ("KWD", "0.001"), ("JPY", "1")])
def test_money_quantum(code, quantum):
    assert money_quantum(code) == Decimal(quantum)
    assert str(money_quantum(code)) == quantum


@pytest.mark.parametrize(
    ("amount", "code", "expected"),
    [
        ("1.005", "SAR", "1.01"),  # half up, not banker's rounding
        ("1.015", "SAR", "1.02"),
        ("2.675", "SAR", "2.68"),
        ("1.004999", "SAR", "1.00"),
        ("-1.005", "SAR", "-1.01"),  # ties away from zero
        ("3.7035", "KWD", "3.704"),
        ("3.70349", "KWD", "3.703"),
        ("100.5", "JPY", "101"),
        ("0.5", "JPY", "1"),
        ("0.4999", "JPY", "0"),
        ("7", "SAR", "7.00"),
        ("0", "KWD", "0.000"),
        ("123456789012345.678", "SAR", "123456789012345.68"),
    ],
)
def test_quantize_money(amount, code, expected):
    result = quantize_money(Decimal(amount), code)
    assert str(result) == expected  # value and exponent


def test_quantize_money_handles_more_digits_than_the_default_context():
    amount = Decimal("123456789012345678901234567890.125")
    assert quantize_money(amount, "SAR") == Decimal("123456789012345678901234567890.13")


def test_quantize_money_refuses_floats_and_non_finite():
    with pytest.raises(TypeError):
        quantize_money(1.005, "SAR")
    with pytest.raises(ValueError):
        quantize_money(Decimal("NaN"), "SAR")
    with pytest.raises(ValueError):
        quantize_money(Decimal("Infinity"), "SAR")


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("1.23", 2, True),
        ("1.234", 2, False),
        ("1.500", 1, True),  # trailing zeros do not count
        ("1.500", 0, False),
        ("100", 0, True),
        ("1E+3", 0, True),
        ("0.0000", 0, True),
        ("0E-10", 0, True),
        ("-0.125", 3, True),
        ("-0.125", 2, False),
        ("0.0001", 4, True),
        ("0.00001", 4, False),
        ("12345678901234567890.1234", 4, True),
        ("NaN", 4, False),
        ("Infinity", 4, False),
    ],
)
def test_has_at_most_places(value, places, expected):
    assert has_at_most_places(Decimal(value), places) is expected
