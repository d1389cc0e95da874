"""ISO 4217 currency codes and their minor units, from the maintained `iso4217` package (its 2026 list).

``CURRENCY_MINOR_UNITS`` maps every active ISO 4217 alphabetic code that denotes a currency one can invoice in
to its number of minor-unit digits (2 for SAR: 1 riyal = 100 halalas, 3 for KWD, 0 for JPY). The list's entries
without minor units (precious metals, bond-market units, XDR, XSU, XUA, the testing and "no currency" codes XTS
and XXX) and its fund codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW) and the Arab Accounting Dinar XAD (a unit
of account) are left out on purpose: nobody is invoiced in them.

A code withdrawn from the list since a workspace chose it (BGN when Bulgaria took the euro in 2026, ANG, CUC,
SLL) is no longer offered (`is_valid_currency` is False) but keeps its minor unit in ``WITHDRAWN_MINOR_UNITS``,
so that the documents written in it still read and print.

Pure Python: no Django import, so it can be used from settings, models, serializers and tests.
"""

from __future__ import annotations

from decimal import Decimal

from iso4217 import Currency

NOT_INVOICED = frozenset({"BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW", "XAD"})

CURRENCY_MINOR_UNITS: dict[str, int] = {
    currency.code: currency.exponent
    for currency in Currency
    if currency.exponent is not None and currency.code not in NOT_INVOICED
}

WITHDRAWN_MINOR_UNITS: dict[str, int] = {"ANG": 2, "BGN": 2, "CUC": 2, "SLL": 2}


def minor_unit(currency: str) -> int:
    """Number of minor-unit digits of ``currency`` (2 for SAR, 3 for KWD, 0 for JPY).

    Raises ValueError for a code that is not in the table (codes are case-sensitive: "sar" is unknown): an
    unknown currency never falls back to a guess.
    """
    try:
        return CURRENCY_MINOR_UNITS[currency]
    except (KeyError, TypeError):
        pass
    try:
        return WITHDRAWN_MINOR_UNITS[currency]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown currency: {currency!r}") from None


def has_at_most_places(value: Decimal, places: int) -> bool:
    """True when ``value`` needs no more than ``places`` digits after the decimal point.

    Trailing zeros do not count (Decimal('1.500') has 1 place); NaN and infinities give False.
    """
    if not isinstance(value, Decimal) or not value.is_finite():
        return False
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if exponent >= 0 or not any(digits):
        return True
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return -(exponent + trailing_zeros) <= places


def is_valid_currency(code: object) -> bool:
    """True when ``code`` is exactly three uppercase ASCII letters naming a currency of the table.

    Anything that is not a ``str`` (None, bytes, numbers, ...) is simply not a valid currency.
    Lower-case codes are rejected rather than normalised: callers decide whether to upper-case input.
    """
    if not isinstance(code, str):
        return False
    if len(code) != 3 or not (code.isascii() and code.isalpha() and code.isupper()):
        return False
    return code in CURRENCY_MINOR_UNITS
