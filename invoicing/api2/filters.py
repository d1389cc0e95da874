"""The api2 list's query string (PRODUCT.md section 8): `page`, `limit` and the filters, checked for shape and type.

An integration asks `?search=<order id>` before invoicing an order: a filter it believes in but that were ignored
would answer every invoice, and the order would never be invoiced. So any other parameter, a parameter given twice
and a blank filter are 400s naming the parameter, never ignored."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from invoicing.api2.fields import Api2DayField, Api2IdField, ZeroOneField
from invoicing.api2.serializers import MAX_LIMIT, Api2PageInputSerializer
from invoicing.sales_selectors import SalesInvoiceFilters
from workspaces.api.errors import flatten_errors
from workspaces.api.fields import StrictCharField
from workspaces.errors import ValidationFailed

_PAGING = ("page", "limit")
SEARCH_MAX_LENGTH = 100  # `po_number`'s; `no` is shorter


class Api2InvoiceListQuerySerializer(Api2PageInputSerializer):
    client_id = Api2IdField(required=False, help_text="Only this client's invoices.")
    store_id = Api2IdField(required=False, help_text="Only this store's invoices.")
    draft = ZeroOneField(required=False, help_text="1: only drafts; 0: only issued invoices.")
    date_from = Api2DayField(
        required=False, help_text="Invoices dated this day or later (the invoice `date`)."
    )
    date_to = Api2DayField(
        required=False, help_text="Invoices dated this day or earlier (the invoice `date`)."
    )
    search = StrictCharField(
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        trim_whitespace=False,
        help_text="The invoice whose `no` (`000042`) or `po_number` equals this text exactly: an integration that "
        "keeps its order id in `po_number` asks whether that order was invoiced already.",
    )


def invoice_list_query(params: QueryDict) -> tuple[int, int, SalesInvoiceFilters]:
    """(page, limit, filters) of the list's query string; a 400 naming every unknown, repeated or bad parameter at
    once. A blank `page` or `limit` is its default, as it always was; a blank filter is a 400 (it would list
    everything). `limit` above 100 is read as 100."""
    known = Api2InvoiceListQuerySerializer().fields
    errors: dict[str, list[str]] = {}
    for name in params:
        if name not in known:
            errors[name] = [_("Unknown parameter. The list takes: %(names)s.") % {"names": ", ".join(known)}]
        elif len(params.getlist(name)) > 1:
            errors[name] = [_("This parameter is given more than once.")]
    data: dict[str, Any] = {
        name: params[name]
        for name in params
        if name in known and not (name in _PAGING and params[name] == "")
    }
    # A plain dict, not the QueryDict: DRF reads a blank value of a QueryDict as "not given".
    serializer = Api2InvoiceListQuerySerializer(data=data)
    if not serializer.is_valid():
        for field, messages in flatten_errors(serializer.errors).items():
            errors.setdefault(field, [message for message, _code in messages])
    if errors:
        raise ValidationFailed(errors)
    values = dict(serializer.validated_data)
    page, limit = values.pop("page"), min(values.pop("limit"), MAX_LIMIT)
    return page, limit, SalesInvoiceFilters(**values)
