"""The api2 list's query string (PRODUCT.md section 8): `page`, `limit` and the filters, checked for shape and type.

An integration asks `?search=<order id>` before invoicing an order: a filter it believes in but that were ignored
would answer every invoice, and the order would never be invoiced. So any other parameter, a parameter given twice
and a blank filter are 400s naming the parameter, never ignored."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import serializers

from invoicing.api2.fields import Api2DayField, Api2IdField, ZeroOneField
from invoicing.api2.serializers import DEFAULT_LIMIT, MAX_LIMIT
from invoicing.models import Invoice
from invoicing.sales_selectors import SalesInvoiceFilters
from workspaces.api.fields import StrictCharField
from workspaces.api.filtering import QueryFilter, QueryFilterSet, query_serializer, validation_failed

_PAGING = ("page", "limit")
SEARCH_MAX_LENGTH = 100  # `po_number`'s; `no` is shorter


class Api2InvoiceFilterSet(QueryFilterSet):
    """The page and the filters of `GET /api2/invoices.json`; a blank filter is checked, so refused."""

    blank_is_absent = False

    page = QueryFilter(
        serializers.IntegerField(required=False, min_value=1, max_value=10**12, default=1),
        description="The page, from 1 (default 1).",
    )
    limit = QueryFilter(
        serializers.IntegerField(required=False, min_value=1, default=DEFAULT_LIMIT),
        description=f"Default {DEFAULT_LIMIT}; above {MAX_LIMIT} is read as {MAX_LIMIT}.",
    )
    client_id = QueryFilter(Api2IdField(required=False), description="Only this client's invoices.")
    store_id = QueryFilter(Api2IdField(required=False), description="Only this store's invoices.")
    draft = QueryFilter(ZeroOneField(required=False), description="1: only drafts; 0: only issued invoices.")
    date_from = QueryFilter(
        Api2DayField(required=False), description="Invoices dated this day or later (the invoice `date`)."
    )
    date_to = QueryFilter(
        Api2DayField(required=False), description="Invoices dated this day or earlier (the invoice `date`)."
    )
    search = QueryFilter(
        StrictCharField(required=False, max_length=SEARCH_MAX_LENGTH, trim_whitespace=False),
        description="The invoice whose `no` (`000042`) or `po_number` equals this text exactly: an integration "
        "that keeps its order id in `po_number` asks whether that order was invoiced already.",
    )

    class Meta:
        model = Invoice
        fields: list[str] = []


Api2InvoiceQuerySerializer = query_serializer(Api2InvoiceFilterSet)


def invoice_list_query(params: QueryDict) -> tuple[int, int, SalesInvoiceFilters]:
    """(page, limit, filters) of the list's query string; a 400 naming every unknown, repeated or bad parameter at
    once. A blank `page` or `limit` is its default, as it always was; a blank filter is a 400 (it would list
    everything). `limit` above 100 is read as 100."""
    known = Api2InvoiceFilterSet.base_filters
    errors: dict[str, list[tuple[str, str]]] = {}
    for name in params:
        if name not in known:
            message = _("Unknown parameter. The list takes: %(names)s.") % {"names": ", ".join(known)}
            errors[name] = [(message, "unknown")]
        elif len(params.getlist(name)) > 1:
            errors[name] = [(_("This parameter is given more than once."), "repeated")]
    data = {
        name: params[name]
        for name in params
        if name in known and not (name in _PAGING and params[name] == "")
    }
    filterset = Api2InvoiceFilterSet(data)
    if not filterset.is_valid():
        for name, messages in filterset.field_errors().items():
            errors.setdefault(name, messages)
    if errors:
        raise validation_failed(errors)
    values = filterset.cleaned()
    page, limit = values.pop("page"), min(values.pop("limit"), MAX_LIMIT)
    return page, limit, SalesInvoiceFilters(**values)
