"""Order invoices as ZATCA documents (PRODUCT.md sections 8b, 8c): an order invoice of a store with an onboarded
device is signed in `order_invoice_create`'s transaction, a standard one (the order's client VAT-registered, a device
onboarded for standard invoices) cleared by ZATCA after that transaction commits.

The order in the transaction: the order locked (`orders.locks.lock_order`), the checks (a standard invoice's buyer
complete, else a 400 naming the client's missing fields, before anything is written), the device locked
(`invoicing.zatca.chain.lock_device`), the invoice's rows, the signature. The kind is decided by
`invoicing.zatca.issuing.kind_for`, as for api2 invoices; both share the store's one chain.

An order invoice's number (`cbc:ID`) is its id as the API shows it (`str(invoice.pk)`): it has no other, and the id
never changes, so what the buyer reads in the XML is what `/invoices` answers.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from invoicing.calculation_types import DocumentTotals, TaxInput
from invoicing.zatca.chain import Issued
from invoicing.zatca.documents import Kind, TypeCode
from invoicing.zatca.issuing import buyer_of, sign_issued, signing_for, source_line
from invoicing.zatca.mapping import SourceLine
from invoicing.zatca.models import ZatcaDevice, ZatcaDocument
from orders.models import Order, OrderInvoice, OrderLineItem
from workspaces.models import Client

SOURCE = "order_invoice"  # `ZatcaDocument.source_type` of an order invoice
UNSIGNABLE = "zatca_unsignable"


@dataclass(frozen=True)
class OrderSigning:
    """What an order invoice is signed with: the order store's device (locked), the kind, the buyer."""

    device: ZatcaDevice
    kind: Kind
    client: Client | None


def order_signing_for(order: Order) -> OrderSigning | None:
    """The device and kind of an invoice of `order` (locked by the caller) about to be issued, the device locked
    (after the order, before any write; `invoicing.zatca.issuing.signing_for`, as for api2); None when the order's
    store signs nothing. A standard invoice's incomplete buyer is a 400 naming the client's missing fields."""
    if order.store_id is None:
        return None
    client = (
        Client.objects.filter(workspace_id=order.workspace_id, pk=order.client_id).first()
        if order.client_id is not None
        else None
    )
    signing = signing_for(store_id=order.store_id, client=client)
    return OrderSigning(signing.device, signing.kind, client) if signing is not None else None


def _line(item: OrderLineItem, quantity: Decimal) -> SourceLine:
    """An invoiced order line as sold, its one VAT from the line's copy of its taxes."""
    return source_line(
        name=item.name,
        quantity=quantity,
        unit_price=item.unit_price,
        taxes=[
            TaxInput(key=t["id"], rate=Decimal(str(t["rate"])), inclusive=t["inclusive"]) for t in item.taxes
        ],
    )


def sign_order_invoice(
    signing: OrderSigning,
    invoice: OrderInvoice,
    taken: Sequence[tuple[OrderLineItem, Decimal]],
    totals: DocumentTotals,
) -> ZatcaDocument:
    """The new order invoice signed into its store's chain (388; a standard one with its buyer and supply date,
    the invoice's day in the workspace's time zone, sent to clearance once the transaction commits).

    `taken` are the invoiced (order line, quantity) pairs in the invoice's line order and `totals` the
    calculator's figures for them, so the XML's figures are the API's. Two taxes on a line, or figures ZATCA
    cannot state, are a 422 `zatca_unsignable` (the transaction rolls back: nothing is invoiced)."""
    moment: dt.datetime = invoice.created_at or timezone.now()
    local_day = moment.astimezone(zoneinfo.ZoneInfo(signing.device.store.workspace.timezone)).date()
    standard = signing.kind is Kind.STANDARD
    return sign_issued(
        signing.device,
        Issued(
            source_type=SOURCE,
            source_id=invoice.pk,
            number=str(invoice.pk),
            moment=moment,
            type_code=TypeCode.INVOICE,
            lines=[_line(item, quantity) for item, quantity in taken],
            calculation=totals,
            payment_method="other",  # an order invoice records no payment
            buyer=buyer_of(signing.client) if standard and signing.client is not None else None,
            kind=signing.kind,
            supply_date=local_day if standard else None,
        ),
    )
