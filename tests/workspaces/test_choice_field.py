"""A value outside a choice is a 400 whose message names the valid choices, in English and Arabic (issue 16), for
every choice field of the v1 and `/orders` APIs."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django.utils import translation
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from workspaces.api.fields import ChoiceField
from workspaces.api.renderers import JSONRenderer
from workspaces.payment_methods import PaymentMethod

# invoicing/api and invoicing/api2 switch over separately (their owner); every other API package is held here.
APPS = ("workspaces", "pos", "suppliers", "orders")


@pytest.fixture(autouse=True)
def english():
    """English unless a test says otherwise (a request in Arabic leaves its language active in the thread)."""
    with translation.override("en"):
        yield


def _refusal(field: serializers.Field, value: object) -> list[str]:
    with pytest.raises(ValidationError) as error:
        field.run_validation(value)
    return [str(message) for message in error.value.detail]


def test_the_refusal_names_the_choices():
    field = ChoiceField(choices=PaymentMethod.choices)
    assert _refusal(field, "wire") == ['"wire" is not a valid choice: cash, card, transfer, cheque, other.']
    assert field.run_validation("cheque") == "cheque"


def test_the_refusal_in_arabic():
    field = ChoiceField(choices=PaymentMethod.choices)
    with translation.override("ar"):
        assert _refusal(field, "wire") == ['"wire" ليس خيارًا صالحًا: cash, card, transfer, cheque, other.']


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("%s %(x)s {choices} {0}", "%s %(x)s {choices} {0}"),  # formatting characters are text
        (12, "12"),
        ("\ud800", "\ud800"),  # written as its escape by the renderer, never a 500
        ("x" * 5000, "x" * 100 + "…"),  # the echo is cut
    ],
)
def test_the_echoed_input_is_plain_text_and_short(value, shown):
    (message,) = _refusal(ChoiceField(choices=["csv", "xlsx"]), value)
    assert message == f'"{shown}" is not a valid choice: csv, xlsx.'
    JSONRenderer().render({"errors": [message]})


def test_null_and_blank_follow_the_field():
    assert ChoiceField(choices=["a"], allow_null=True).run_validation(None) is None
    assert ChoiceField(choices=["a"], allow_blank=True).run_validation("") == ""
    assert _refusal(ChoiceField(choices=["a"]), "") == ['"" is not a valid choice: a.']


def _choice_fields() -> list[tuple[str, serializers.ChoiceField]]:
    found = []
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".api" not in module.name or module.name.endswith(".urls"):
                continue
            for _name, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
                if not issubclass(cls, serializers.Serializer) or not cls.__module__.startswith(APPS):
                    continue
                try:
                    fields = cls().fields
                except Exception:  # a serializer that needs its context to list fields
                    continue
                for name, field in fields.items():
                    field = getattr(field, "child", field)  # ListField(child=ChoiceField(...))
                    if isinstance(field, serializers.ChoiceField):
                        found.append((f"{cls.__module__}.{cls.__name__}.{name}", field))
    return found


def test_every_choice_field_of_these_apis_names_its_choices():
    fields = _choice_fields()
    assert {name.rsplit(".", 2)[-1] for name, _field in fields} >= {"method", "status", "type", "permissions"}
    assert [name for name, field in fields if not isinstance(field, ChoiceField)] == []


@pytest.mark.django_db
def test_an_api_answers_the_choices_in_the_request_language(owner_client, workspace):
    url = f"/v1/workspace/{workspace.pk}/pos/invoices"
    english = owner_client.get(url, {"status": "open"})
    assert english.status_code == 400
    assert english.json()["errors"] == {
        "status": ['"open" is not a valid choice: draft, completed, cancelled.']
    }
    arabic = owner_client.get(url, {"status": "open"}, HTTP_ACCEPT_LANGUAGE="ar")
    assert arabic.json()["errors"] == {"status": ['"open" ليس خيارًا صالحًا: draft, completed, cancelled.']}
