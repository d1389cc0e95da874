"""The invoice's audit trail read as sentences ("Sara added 2 × Arabic coffee"), not codes and JSON: one
translatable sentence per event action (`pos.services.common.log_event` writes them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from invoicing.models import Product
from pos.models import OrderStatus, PosInvoice, PosInvoiceEvent, PosPayment
from workspaces.admin_display import person_name
from workspaces.templatetags.backoffice import format_money, format_quantity


@dataclass
class EventNames:
    """What the sentences name, looked up once for all of an invoice's events (two queries)."""

    currency: str
    products: dict[int, str] = field(default_factory=dict)  # product id -> name in the page's language
    items: dict[int, int] = field(default_factory=dict)  # item id -> product id (items still on the invoice)
    statuses: dict[int, str] = field(default_factory=dict)


def event_names(invoice: PosInvoice, events: Iterable[PosInvoiceEvent]) -> EventNames:
    events = list(events)
    items = {item.pk: item.product_id for item in invoice.items.all()}
    product_ids = {e.data.get("productId") for e in events if isinstance(e.data, dict)} | set(items.values())
    status_ids = {e.data.get("orderStatusId") for e in events if e.action == "order_status_set"}
    arabic = (get_language() or "").startswith("ar")
    products = {
        pk: (name_ar if arabic and name_ar else name)
        for pk, name, name_ar in Product.with_deleted.filter(
            pk__in=[p for p in product_ids if p]
        ).values_list("pk", "name", "name_ar")
    }
    statuses: dict[int, str] = {}
    if status_ids - {None}:
        for status in OrderStatus.objects.filter(pk__in=[s for s in status_ids if s]):
            statuses[status.pk] = status.label_en if not arabic and status.label_en else status.label_ar
    return EventNames(currency=invoice.currency, products=products, items=items, statuses=statuses)


def _who(event: PosInvoiceEvent) -> str:
    if event.user_id is not None:
        return person_name(event.user)
    if event.api_key_id is not None:
        return _("API key “%(name)s”") % {"name": event.api_key.name}
    return _("Someone")


def _amount(value: Any, currency: str) -> str:
    try:
        return format_money(Decimal(str(value)), currency)
    except (InvalidOperation, ValueError):
        return str(value)


def _product(names: EventNames, data: dict[str, Any]) -> str:
    product_id = data.get("productId") or names.items.get(data.get("itemId"))
    return names.products.get(product_id) or _("an item")


def _reason(data: dict[str, Any]) -> str:
    reason = data.get("reason") or ""
    return _("the day was closed") if reason == "session_closed" else reason


def event_sentence(event: PosInvoiceEvent, names: EventNames) -> str:
    """One sentence per action; an action this page does not know yet is still named, never hidden."""
    data = event.data if isinstance(event.data, dict) else {}
    who = _who(event)
    action = event.action
    if action == "created":
        return _("%(who)s created the invoice") % {"who": who}
    if action == "item_added":
        return _("%(who)s added %(quantity)s × %(product)s") % {
            "who": who,
            "quantity": format_quantity(data.get("quantity")),
            "product": _product(names, data),
        }
    if action == "item_changed":
        changes = []
        if "quantity" in data:
            changes.append(_("quantity %(quantity)s") % {"quantity": format_quantity(data["quantity"])})
        if "unit_price" in data or "unitPrice" in data:
            price = data.get("unit_price", data.get("unitPrice"))
            changes.append(_("unit price %(price)s") % {"price": _amount(price, names.currency)})
        if "note" in data:
            changes.append(_("note “%(note)s”") % {"note": data["note"]})
        return _("%(who)s changed %(product)s: %(changes)s") % {
            "who": who,
            "product": _product(names, data),
            "changes": ", ".join(changes) or "—",
        }
    if action == "item_removed":
        return _("%(who)s removed %(product)s") % {"who": who, "product": _product(names, data)}
    if action == "discount_added":
        value = data.get("value")
        shown = (
            f"{format_quantity(value)}%" if data.get("type") == "percent" else _amount(value, names.currency)
        )
        sentence = _("%(who)s added a discount of %(value)s") % {"who": who, "value": shown}
        return f"{sentence} ({data['reason']})" if data.get("reason") else sentence
    if action == "discount_removed":
        return _("%(who)s removed a discount") % {"who": who}
    if action == "order_status_set":
        status = names.statuses.get(data.get("orderStatusId"))
        if status is None:
            return _("%(who)s cleared the order status") % {"who": who}
        return _("%(who)s set the order status to %(status)s") % {"who": who, "status": status}
    if action == "completed":
        labels = dict(PosPayment.Method.choices)
        payments = ", ".join(
            f"{labels.get(p.get('method'), p.get('method'))} {_amount(p.get('amount'), names.currency)}"
            for p in data.get("payments", [])
        )
        return _("%(who)s completed the invoice (paid: %(payments)s)") % {"who": who, "payments": payments}
    if action == "cancelled":
        reason = _reason(data)
        if reason:
            return _("%(who)s cancelled the invoice: %(reason)s") % {"who": who, "reason": reason}
        return _("%(who)s cancelled the invoice") % {"who": who}
    if action == "voided":
        reason = _reason(data)
        if reason:
            return _("%(who)s voided the invoice: %(reason)s") % {"who": who, "reason": reason}
        return _("%(who)s voided the invoice") % {"who": who}
    return _("%(who)s: %(action)s") % {"who": who, "action": action}
