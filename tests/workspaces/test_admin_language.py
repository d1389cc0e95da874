"""Dates and the admin's JavaScript widgets in the user's language: Arabic word order with the minutes, and the
filter widget's own words translated ("Choose all %s" was English on Arabic pages)."""

import datetime as dt
import json

import pytest
from django.utils import formats, translation

pytestmark = pytest.mark.django_db

NINE_PM = dt.datetime(2026, 12, 2, 21, 0)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ar", "2 ديسمبر 2026، 9:00 م"), ("en", "Dec. 2, 2026, 9:00 PM")],
)
def test_a_date_and_time_reads_in_the_language_order_with_its_minutes(language, expected):
    with translation.override(language):
        assert formats.date_format(NINE_PM, "DATETIME_FORMAT") == expected


def test_a_date_in_arabic_day_month_year():
    with translation.override("ar"):
        assert formats.date_format(NINE_PM.date()) == "2 ديسمبر 2026"


def test_the_admin_javascript_catalogue_is_arabic(client, owner):
    client.force_login(owner)
    client.cookies["django_language"] = "ar"
    catalogue = client.get("/admin/jsi18n/").content.decode()
    for arabic in ("اختيار كل %s", "إزالة كل %s", "اختيار %s المحددة", "(اضغط للمسح)"):
        assert json.dumps(arabic)[1:-1] in catalogue  # written as JSON escapes
    assert "Choose all %s" in catalogue  # the key, with its translation beside it
