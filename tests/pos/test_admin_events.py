"""The audit trail as sentences: one per event action, naming people, products and amounts as the owner reads
them (pos.admin_events)."""

import pytest
from django.utils import translation

from pos.admin_events import EventNames, event_sentence
from pos.models import PosInvoiceEvent
from workspaces.models import ApiKey, User

SARA = User(pk=1, name="Sara", email="sara@example.com")
NAMES = EventNames(currency="SAR", products={7: "Arabic coffee"}, items={70: 7}, statuses={3: "Ready"})


def sentence(action, data=None, user=SARA, api_key=None):
    event = PosInvoiceEvent(action=action, data=data or {}, user=user, api_key=api_key)
    return event_sentence(event, NAMES)


@pytest.mark.parametrize(
    ("action", "data", "expected"),
    [
        ("created", {}, "Sara created the invoice"),
        (
            "item_added",
            {"productId": 7, "quantity": "2.000", "unitPrice": "10"},
            "Sara added 2 × Arabic coffee",
        ),
        (
            "item_changed",
            {"itemId": 70, "quantity": "3", "unit_price": "12.5000", "note": "no sugar"},
            "Sara changed Arabic coffee: quantity 3, unit price 12.50, note “no sugar”",
        ),
        ("item_removed", {"itemId": 70, "productId": 7}, "Sara removed Arabic coffee"),
        (
            "discount_added",
            {"type": "percent", "value": "10.0000", "reason": ""},
            "Sara added a discount of 10%",
        ),
        (
            "discount_added",
            {"type": "fixed", "value": "5", "reason": "loyal client"},
            "Sara added a discount of 5.00 (loyal client)",
        ),
        ("discount_removed", {"discountId": 4, "source": "manual"}, "Sara removed a discount"),
        ("order_status_set", {"orderStatusId": 3}, "Sara set the order status to Ready"),
        ("order_status_set", {"orderStatusId": None}, "Sara cleared the order status"),
        (
            "completed",
            {"payments": [{"method": "cash", "amount": "50.000"}, {"method": "card", "amount": "22.45"}]},
            "Sara completed the invoice (paid: Cash 50.00, Card 22.45)",
        ),
        ("cancelled", {"reason": "session_closed"}, "Sara cancelled the invoice: the day was closed"),
        ("cancelled", {"reason": ""}, "Sara cancelled the invoice"),
        ("voided", {"reason": "wrong order"}, "Sara voided the invoice: wrong order"),
    ],
)
def test_each_action_reads_as_a_sentence(action, data, expected):
    with translation.override("en"):
        assert sentence(action, data) == expected


def test_who_an_api_key_or_nobody_and_an_unknown_action():
    with translation.override("en"):
        assert (
            sentence("created", user=None, api_key=ApiKey(pk=5, name="Till 2"))
            == "API key “Till 2” created the invoice"
        )
        assert sentence("created", user=None) == "Someone created the invoice"
        assert sentence("item_removed", {"itemId": 999}) == "Sara removed an item"
        assert sentence("refunded") == "Sara: refunded"


def test_a_person_without_a_name_is_shown_by_e_mail():
    with translation.override("en"):
        assert sentence("created", user=User(pk=2, name="", email="omar@example.com")) == (
            "omar@example.com created the invoice"
        )
