"""Numbers as the back office prints them, the same in Arabic and in English: amounts with the currency's minor
digits (SAR 2, KWD 3), quantities without trailing zeros, `.` as the decimal point and `,` grouping. Django's own
Arabic format writes `72,450` for 72.45, which a cashier reads as seventy-two thousand (PRODUCT.md section 9)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

from workspaces.currencies import minor_unit
from workspaces.numbers import decimal_literal

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def format_money(value, currency: str | None, *, exact: bool = False) -> str:
    """`Decimal("72.450")`, "SAR" -> `72.45`; "KWD" -> `72.450`; thousands grouped with `,`. An unknown or missing
    currency keeps the amount's own places; None (no amount) is an empty string. `exact` (unit prices, stored
    with 4 places) never rounds: `12.0000` -> `12.00`, `0.1234` -> `0.1234`."""
    number = _decimal(value)
    if number is None:
        return ""
    try:
        places = minor_unit(currency) if currency else None
    except ValueError:
        places = None
    if places is None:
        return f"{number:,f}"
    if exact:
        literal = decimal_literal(number)
        places = max(places, len(literal.partition(".")[2]))
    rounded = number.quantize(Decimal((0, (1,), -places)), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{places}f}"


def format_quantity(value) -> str:
    """`Decimal("2.000")` -> `2`, `Decimal("1.250")` -> `1.25`, `Decimal("1500")` -> `1,500`."""
    number = _decimal(value)
    if number is None:
        return ""
    literal = decimal_literal(number)
    sign = "-" if literal.startswith("-") else ""
    whole, _dot, fraction = literal.lstrip("-").partition(".")
    return f"{sign}{int(whole):,}" + (f".{fraction}" if fraction else "")


@register.filter
def money(value, currency: str | None = None) -> str:
    """`{{ invoice.total|money:invoice.currency }}`."""
    return format_money(value, currency)


@register.filter
def price(value, currency: str | None = None) -> str:
    """A unit price: the currency's places, more only where the price has them."""
    return format_money(value, currency, exact=True)


@register.filter
def quantity(value) -> str:
    """`{{ item.quantity|quantity }}`."""
    return format_quantity(value)


@register.filter
def ltr(value) -> str:
    """`value` isolated left to right in plain text (U+2066 ... U+2069), for a date or a time inside a translated
    sentence: after Arabic words "2026-12-01" would otherwise read "01-12-2026"."""
    return f"\u2066{value}\u2069"
