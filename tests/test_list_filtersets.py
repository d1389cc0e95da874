"""What the lists' FilterSets (`workspaces.api.filtering`, issue 18) add: the schema documents every parameter of each
FilterSet, v1's blank and repeated parameters read as they always did, and a refusal is in each caller's language."""

import datetime as dt

import pytest
from django.http import QueryDict
from drf_spectacular.generators import SchemaGenerator

from invoicing.api.serializers import ProductFilterSet
from invoicing.api2.filters import Api2InvoiceFilterSet
from orders.api.serializers import OrderInvoiceFilterSet
from pos.api.invoice_inputs import InvoiceFilterSet
from pos.api.views.sessions import SessionFilterSet
from pos.models import BusinessSession
from suppliers.api.serializers import SupplierAgingFilterSet, SupplierInvoiceFilterSet
from suppliers.api.views.reports import InvoiceExportFilterSet
from suppliers.models import Supplier, SupplierInvoice
from workspaces.api.filtering import _parse_given
from workspaces.errors import ValidationFailed

# (path, FilterSet, parameters the path leaves out)
LISTS = [
    ("/v1/workspace/{workspace_id}/supplier-invoices", SupplierInvoiceFilterSet, set()),
    (
        "/v1/workspace/{workspace_id}/suppliers/{supplier_id}/invoices",
        SupplierInvoiceFilterSet,
        {"supplierId"},
    ),
    ("/v1/workspace/{workspace_id}/supplier-invoices/export", InvoiceExportFilterSet, set()),
    ("/v1/workspace/{workspace_id}/supplier-invoices/aging", SupplierAgingFilterSet, set()),
    ("/invoices", OrderInvoiceFilterSet, set()),
    ("/api2/invoices.json", Api2InvoiceFilterSet, set()),
    ("/v1/workspace/{workspace_id}/products", ProductFilterSet, set()),
    ("/v1/workspace/{workspace_id}/pos/sessions", SessionFilterSet, set()),
    ("/v1/workspace/{workspace_id}/pos/invoices", InvoiceFilterSet, set()),
]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _query_parameters(schema, path):
    return {p["name"]: p for p in schema["paths"][path]["get"]["parameters"] if p["in"] == "query"}


@pytest.mark.parametrize(("path", "filterset", "left_out"), LISTS, ids=[row[0] for row in LISTS])
def test_the_schema_documents_every_parameter_of_the_filterset(schema, path, filterset, left_out):
    parameters = _query_parameters(schema, path)

    declared = set(filterset.base_filters) - left_out
    assert declared <= set(parameters)
    assert not left_out & set(parameters)
    for name in declared:
        description = filterset.base_filters[name].description
        assert description and parameters[name]["description"].startswith(description), name
        schema_ = parameters[name]["schema"]
        branches = [schema_, *schema_.get("oneOf", []), *schema_.get("anyOf", [])]
        types = {branch["type"] for branch in branches if "type" in branch}
        assert types and types <= {"string", "integer"}, name


def test_the_schema_gives_the_dates_their_format_and_the_statuses_their_enum(schema):
    suppliers = _query_parameters(schema, "/v1/workspace/{workspace_id}/supplier-invoices")
    sessions = _query_parameters(schema, "/v1/workspace/{workspace_id}/pos/sessions")
    api2 = _query_parameters(schema, "/api2/invoices.json")

    for name in ("issueDateFrom", "issueDateTo", "dueDateFrom", "dueDateTo"):
        assert suppliers[name]["schema"]["format"] == "date"
    assert api2["date_from"]["schema"]["format"] == api2["date_to"]["schema"]["format"] == "date"
    assert suppliers["status"]["schema"]["enum"] == SupplierInvoice.Status.values
    assert suppliers["overdue"]["schema"]["enum"] == ["true", "false"]
    assert sessions["status"]["schema"]["enum"] == BusinessSession.Status.values


@pytest.fixture
def two_invoices(workspace):
    supplier = Supplier.objects.create(workspace=workspace, name="Coffee traders")
    common = {"workspace": workspace, "supplier": supplier, "currency": workspace.currency}
    pending = SupplierInvoice.objects.create(
        **common, invoice_number="P-1", invoice_number_normalised="p-1", total_amount=100, paid_amount=0,
        remaining_amount=100, status="pending", issue_date=dt.date(2024, 1, 5),
    )  # fmt: skip
    paid = SupplierInvoice.objects.create(
        **common, invoice_number="P-2", invoice_number_normalised="p-2", total_amount=50, paid_amount=50,
        remaining_amount=0, status="paid", issue_date=dt.date(2024, 1, 6),
    )  # fmt: skip
    return {"pending": str(pending.pk), "paid": str(paid.pk)}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=&supplierId=&overdue=&issueDateFrom=&q=", ["paid", "pending"]),  # blank: no filter (v1)
        ("status=paid&status=pending", ["pending"]),  # given twice: the last one
        ("status=late&status=paid", ["paid"]),
        ("colour=red", ["paid", "pending"]),  # unknown: ignored (v1; api2 refuses it)
    ],
)
def test_blank_repeated_and_unknown_parameters_read_as_before(
    owner_client, workspace, two_invoices, query, expected
):
    response = owner_client.get(f"/v1/workspace/{workspace.pk}/supplier-invoices?{query}")

    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["invoices"]] == [two_invoices[key] for key in expected]


@pytest.mark.django_db
def test_a_refusal_is_in_each_callers_language_request_after_request(owner_client, workspace):
    """A FilterSet's field is checked for every request by a fresh copy: DRF words a length message once and keeps it,
    so a shared field would answer everyone in the first caller's language."""
    url = f"/v1/workspace/{workspace.pk}/supplier-invoices?q={'x' * 101}"

    answers = [
        (language, owner_client.get(url, HTTP_ACCEPT_LANGUAGE=language).json()["errors"])
        for language in ("ar", "en", "ar", "en")
    ]

    english = {"q": ["Ensure this field has no more than 100 characters."]}
    arabic = {"q": ["تأكد ان عدد الحروف في هذا الحقل لا تتجاوز 100."]}
    assert answers == [("ar", arabic), ("en", english), ("ar", arabic), ("en", english)]


@pytest.mark.parametrize("filterset", sorted({row[1] for row in LISTS}, key=lambda cls: cls.__name__))
def test_a_query_naming_no_parameter_reads_as_a_parsed_empty_one(filterset):
    """The first page's query (no parameter of the list: `?limit=20`) is parsed once per FilterSet: the same
    filters as a full parse, and a fresh dict each time."""
    expected = filterset._parse(QueryDict(""), None)
    first = filterset.parse(QueryDict("limit=20&cursor=x"))
    assert first == expected
    first["leaked"] = True
    assert filterset.parse(QueryDict("")) == expected


def test_a_query_with_parameters_is_still_parsed_and_checked_after_an_empty_one():
    InvoiceFilterSet.parse(QueryDict(""))
    assert InvoiceFilterSet.parse(QueryDict("status=draft")) == {"status": "draft"}
    with pytest.raises(ValidationFailed):
        InvoiceFilterSet.parse(QueryDict("clientId=abc"))


def test_a_query_with_parameters_is_parsed_once_for_the_same_values_and_context(monkeypatch):
    """A till refreshing a filtered list sends the same query each time: its filters are parsed once per distinct
    values and context, each answer a fresh dict, an unknown parameter changes nothing, a bad value refused every
    time."""
    parsed = []
    original = InvoiceFilterSet._parse.__func__

    def counting(cls, data, context):
        parsed.append(dict(data))
        return original(cls, data, context)

    monkeypatch.setattr(InvoiceFilterSet, "_parse", classmethod(counting))
    _parse_given.cache_clear()
    riyadh, dubai = {"time_zone": "Asia/Riyadh"}, {"time_zone": "Asia/Dubai"}
    query = "clientId=7&startDate=2026-03-01&endDate=2026-03-01&status=draft"
    first = InvoiceFilterSet.parse(QueryDict(query), context=riyadh)
    first["client_id"] = 8
    again = InvoiceFilterSet.parse(QueryDict(f"{query}&limit=5&cursor=x"), context=riyadh)
    other_zone = InvoiceFilterSet.parse(QueryDict(query), context=dubai)

    assert again["client_id"] == 7 and again["status"] == "draft"
    assert again["created_from"] == dt.datetime(2026, 3, 1, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert other_zone["created_from"] == dt.datetime(2026, 3, 1, tzinfo=dt.timezone(dt.timedelta(hours=4)))
    assert len(parsed) == 2  # Riyadh's once, Dubai's once
    for _ in range(2):
        with pytest.raises(ValidationFailed):
            InvoiceFilterSet.parse(QueryDict("clientId=abc"), context=riyadh)
    assert len(parsed) == 4
    assert InvoiceFilterSet.parse(QueryDict("clientId=7&clientId=9"), context=riyadh)["client_id"] == 9
