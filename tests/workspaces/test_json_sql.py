"""`workspaces.json_sql`: each kind of value written by PostgreSQL as the renderer writes it from Python."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db.models import (
    BooleanField,
    DateField,
    DateTimeField,
    DecimalField,
    F,
    OuterRef,
    TextField,
    UUIDField,
    Value,
)
from django.db.models.functions import Cast

from workspaces import json_sql as j
from workspaces.api.renderers import dumps_bytes
from workspaces.models import Workspace

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _a_row(workspace):
    """The expressions are read off one row of a table."""


def _written(expression):
    text = Workspace.objects.order_by("pk")[:1].annotate(j=expression).values_list("j", flat=True).get()
    return None if text is None else text.encode()


@pytest.mark.parametrize(
    ("kind", "value", "field"),
    [
        (j.text, 'قهوة "x" \\ \n\t\x01\x7f 🍵 /', TextField()),
        (j.text, None, TextField()),
        (j.text, uuid.UUID("0f8fad5b-d9cb-469f-a165-70867728950e"), UUIDField()),
        (j.number, Decimal("100.000"), DecimalField(max_digits=18, decimal_places=3)),
        (j.number, Decimal("-3684.780"), DecimalField(max_digits=18, decimal_places=3)),
        (j.number, Decimal("0.000"), DecimalField(max_digits=18, decimal_places=3)),
        (j.number, Decimal("123456789012345.125"), DecimalField(max_digits=18, decimal_places=3)),
        (j.number, None, DecimalField(max_digits=18, decimal_places=3)),
        (j.moment, dt.datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=dt.UTC), DateTimeField()),
        (j.moment, dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.timezone(dt.timedelta(hours=3))), DateTimeField()),
        (j.moment, None, DateTimeField()),
        (j.day, dt.date(2025, 1, 9), DateField()),
        (j.day, None, DateField()),
        (j.midnight, None, DateField()),
        (j.boolean, True, BooleanField()),
        (j.boolean, False, BooleanField()),
        (j.boolean, None, BooleanField()),
    ],
)
def test_each_kind_is_written_as_the_renderer_writes_it(kind, value, field):
    expected = dumps_bytes({"v": str(value) if isinstance(value, uuid.UUID) else value})
    column = Cast(
        Value(value, output_field=field), output_field=field
    )  # typed, as a column is, NULL included
    assert _written(j.obj(("v", kind(column)))) == expected


def test_an_id_is_a_string_and_an_object_keeps_its_keys_order():
    expression = j.obj(
        ("z", j.id_text(Value(15))),
        ("a", j.id_text(Value(None, output_field=TextField()))),
        ("m", j.literal('"apiKey"')),
    )
    assert _written(expression) == dumps_bytes({"z": "15", "a": None, "m": "apiKey"})


def test_a_key_is_a_plain_name():
    with pytest.raises(ValueError, match="plain name"):
        j.obj(("a'b", j.literal("null")))


def test_a_date_at_midnight_is_written_as_the_supplier_dates_are():
    column = Cast(Value(dt.date(2024, 1, 15), output_field=DateField()), output_field=DateField())
    assert _written(j.obj(("d", j.midnight(column)))) == b'{"d":"2024-01-15T00:00:00.000Z"}'


def test_an_array_is_its_lines_in_order_and_null_when_a_line_cannot_be_written(workspace):
    names = Workspace.objects.filter(pk=OuterRef("pk")).values_list(j.text(F("name")))
    assert _written(j.obj(("a", j.array(names)))) == dumps_bytes({"a": [workspace.name]})
    unwritable = Workspace.objects.filter(pk=OuterRef("pk")).values_list(
        Value(None, output_field=TextField())
    )
    assert _written(j.array(unwritable)) is None
