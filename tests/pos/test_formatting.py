"""Numbers as the back office prints them: the currency's minor digits, `.` and `,` in Arabic as in English."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import formats, translation

from workspaces.templatetags.backoffice import format_money, format_quantity


@pytest.mark.parametrize(
    ("amount", "currency", "printed"),
    [
        ("72.450", "SAR", "72.45"),
        ("72.45", "KWD", "72.450"),
        ("1234567.5", "SAR", "1,234,567.50"),
        ("0.005", "SAR", "0.01"),  # half up, as invoicing.money
        ("-3.005", "SAR", "-3.01"),
        ("20", "JPY", "20"),
        ("12.5", "XXX?", "12.5"),  # an unknown currency keeps the amount's own places
    ],
)
def test_money(amount, currency, printed):
    assert format_money(Decimal(amount), currency) == printed


def test_prices_keep_their_own_places_beyond_the_currencys():
    assert format_money(Decimal("12.0000"), "SAR", exact=True) == "12.00"
    assert format_money(Decimal("0.1234"), "SAR", exact=True) == "0.1234"


@pytest.mark.parametrize(
    ("quantity", "printed"), [("2.000", "2"), ("1.250", "1.25"), ("1500", "1,500"), ("-0.5", "-0.5")]
)
def test_quantities_without_trailing_zeros(quantity, printed):
    assert format_quantity(Decimal(quantity)) == printed


def test_missing_values_print_nothing():
    assert (format_money(None, "SAR"), format_quantity(None), format_money("abc", "SAR")) == ("", "", "")


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_same_in_both_languages_django_formats_included(language):
    template = Template("{% load backoffice %}{{ total|money:'SAR' }} {{ qty|quantity }} {{ total }}")
    with translation.override(language):
        printed = template.render(Context({"total": Decimal("72.45"), "qty": Decimal("3.000")}))
        # Django's own number format (config/formats): `.` decimal point and `,` grouping in Arabic too.
        grouped = formats.number_format(Decimal("1072.45"), 2, use_l10n=True, force_grouping=True)
    assert printed == "72.45 3 72.45"
    assert grouped == "1,072.45"
