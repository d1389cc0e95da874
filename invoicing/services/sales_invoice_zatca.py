"""api2 invoices as ZATCA documents (PRODUCT.md sections 8b, 8c): an issued invoice of a store with an onboarded
device is signed in its issuing transaction, a standard one (a VAT-registered client, a device onboarded for
standard invoices) cleared after it commits. The order in the transaction: the checks (a standard invoice's buyer
complete, else a 400 naming the fields, before anything is numbered), the device locked, the number, the rows, the
signature, the stock.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence

from django.utils import timezone

from invoicing.calculation_types import DocumentTotals, TaxInput
from invoicing.models import Invoice, Product
from invoicing.services.sales_invoice_rules import SalesInvoiceLine
from invoicing.zatca.chain import Issued
from invoicing.zatca.documents import Kind, TypeCode
from invoicing.zatca.issuing import Signing, buyer_of, sign_issued, source_line
from invoicing.zatca.mapping import SourceLine
from invoicing.zatca.models import ZatcaDocument
from workspaces.models import Client

SOURCE = "api2_invoice"


def _line(line: SalesInvoiceLine, name: str, taxes: dict[object, TaxInput]) -> SourceLine:
    ids = [tax_id for tax_id in (line.tax1_id, line.tax2_id) if tax_id is not None]
    return source_line(
        name=name,
        quantity=line.quantity,
        unit_price=line.unit_price,
        taxes=[taxes[i] for i in ids if i in taxes],
    )


def sign_sales_invoice(
    signing: Signing,
    invoice: Invoice,
    client: Client,
    lines: Sequence[SalesInvoiceLine],
    totals: DocumentTotals,
    payment_method: str | None,
) -> ZatcaDocument:
    """The issued invoice signed into its store's chain (388; a standard one with its buyer and supply date, sent to
    clearance once the transaction commits)."""
    names = dict(
        Product.with_deleted.filter(pk__in={line.product_id for line in lines}).values_list("pk", "name")
    )
    taxes = {tax.key: TaxInput(key=tax.key, rate=tax.rate, inclusive=tax.inclusive) for tax in totals.taxes}
    # The invoice's date at the moment of issue, in the workspace's time zone.
    local_now = timezone.now().astimezone(zoneinfo.ZoneInfo(invoice.workspace.timezone))
    moment = dt.datetime.combine(invoice.date, local_now.timetz())
    method = (payment_method or "").strip().lower()
    return sign_issued(
        signing.device,
        Issued(
            source_type=SOURCE,
            source_id=invoice.pk,
            number=invoice.no,
            moment=moment,
            type_code=TypeCode.INVOICE,
            lines=[_line(line, names.get(line.product_id, ""), taxes) for line in lines],
            calculation=totals,
            payment_method=method if method in ("cash", "card", "transfer") else "other",
            buyer=buyer_of(client) if signing.kind is Kind.STANDARD else None,
            kind=signing.kind,
            supply_date=invoice.date if signing.kind is Kind.STANDARD else None,
            order_reference=(invoice.po_number or None),
        ),
    )
