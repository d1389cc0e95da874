"""Shared set-up of the POS service tests: a day opened and a draft made through the services themselves."""

from __future__ import annotations

from decimal import Decimal

from pos import services


def open_day(workspace, access, store, opening_cash: str = "100"):
    return services.session_open(
        workspace=workspace,
        access=access,
        store=store,
        opening_cash=Decimal(opening_cash),
        business_date=None,
    )


def draft_with(workspace, access, store, client, *lines):
    """A draft with one line per (product, quantity)."""
    invoice = services.invoice_create(workspace=workspace, access=access, client=client, store=store)
    for product, quantity in lines:
        invoice = services.invoice_add_item(
            invoice=invoice,
            access=access,
            product=product,
            quantity=Decimal(quantity),
            unit_price=None,
            note="",
        )
    return invoice
