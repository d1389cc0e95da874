"""The product list's filters (PRODUCT.md section 4): `barcode=` and `sku=` are a scanner's exact lookup (one indexed
query), `q=` searches the names, SKU and barcode, case-insensitively."""

from decimal import Decimal

import pytest
from django.db import connection
from drf_spectacular.generators import SchemaGenerator

from invoicing import selectors
from tests.conftest import client_for
from tests.invoicing.factories import ProductFactory, TaxFactory
from tests.invoicing.helpers import body
from tests.invoicing.test_api_products import expected

pytestmark = pytest.mark.django_db


def url(workspace) -> str:
    return f"/v1/workspace/{workspace.pk}/products"


@pytest.fixture
def catalogue(workspace, other_workspace):
    vat = TaxFactory(workspace=workspace, rate=Decimal("15"))
    rows = {
        "coffee": ProductFactory(
            workspace=workspace, name="Arabic Coffee", name_ar="قهوة عربية", sku="COF-001",
            barcode="6281000000011", taxes=[vat],
        ),
        "tea": ProductFactory(
            workspace=workspace, name="Mint tea", name_ar="شاي بالنعناع", sku="TEA-002", barcode="6281000000028"
        ),
        "cup": ProductFactory(workspace=workspace, name="Paper cup", sku=None, barcode=None),
        "beans": ProductFactory(
            workspace=workspace, name="Espresso beans", name_ar="بن إسبريسو", sku="cof-beans", barcode="62810"
        ),
    }  # fmt: skip
    # Another workspace's products with the same codes and names are never found.
    ProductFactory(workspace=other_workspace, name="Arabic Coffee", name_ar="قهوة عربية", sku="COF-001",
                   barcode="6281000000011")  # fmt: skip
    return rows


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [product["name"] for product in body(response)["products"]]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("barcode=6281000000011", ["Arabic Coffee"]),
        ("barcode=62810", ["Espresso beans"]),  # exact: not every barcode that starts so
        ("barcode=628100000001", []),
        ("sku=COF-001", ["Arabic Coffee"]),
        ("sku=cof-001", []),  # exact, as the SKU is unique
        ("sku=TEA-002&barcode=6281000000028", ["Mint tea"]),
        ("sku=TEA-002&barcode=6281000000011", []),
        ("q=coffee", ["Arabic Coffee"]),  # Latin, whatever the case
        ("q=COFFEE", ["Arabic Coffee"]),
        ("q=cOf", ["Espresso beans", "Arabic Coffee"]),  # the name of one, the SKU of the other
        ("q=قهوة", ["Arabic Coffee"]),  # the Arabic name
        ("q=بالنعناع", ["Mint tea"]),
        ("q=بن", ["Espresso beans"]),
        ("q=0000028", ["Mint tea"]),  # part of a barcode
        ("q=tea-0", ["Mint tea"]),  # part of a SKU
        ("q=cup", ["Paper cup"]),
        ("q=nothing-like-it", []),
        ("q=", ["Espresso beans", "Paper cup", "Mint tea", "Arabic Coffee"]),  # a cleared search box: all
        ("q=c&sku=COF-001", ["Arabic Coffee"]),
        ("q=%25", []),  # `%` and `_` are text, not wildcards
        ("q=_", []),
        ("unknown=1", ["Espresso beans", "Paper cup", "Mint tea", "Arabic Coffee"]),  # as every v1 list
    ],
)
def test_each_filter_finds_what_matches_and_only_that(workspace, staff, catalogue, query, found):
    assert _names(client_for(staff).get(f"{url(workspace)}?{query}")) == found


def test_a_barcode_scan_answers_the_whole_product(workspace, staff, catalogue):
    response = client_for(staff).get(f"{url(workspace)}?barcode=6281000000011")

    assert body(response) == {"products": [expected(catalogue["coffee"])], "nextCursor": None}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("barcode=", "barcode"),  # blank would list the whole catalogue
        ("sku=", "sku"),
        ("barcode=" + "9" * 65, "barcode"),
        ("sku=" + "x" * 65, "sku"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_a_bad_value_is_a_400_naming_it(workspace, staff, catalogue, query, field):
    response = client_for(staff).get(f"{url(workspace)}?{query}")

    assert response.status_code == 400
    assert body(response)["code"] == "validation_error"
    assert list(body(response)["errors"]) == [field]


@pytest.mark.parametrize("query", ["barcode=6281000000011", "sku=COF-001"])
def test_an_exact_lookup_costs_a_fixed_number_of_queries(
    workspace, owner_client, catalogue, query, django_assert_num_queries
):
    ProductFactory.create_batch(20, workspace=workspace)

    # The member (the user with their membership and workspace: one query), the product, its taxes.
    with django_assert_num_queries(3):
        response = owner_client.get(f"{url(workspace)}?{query}")

    assert _names(response) == ["Arabic Coffee"]


def test_a_search_pages_with_the_cursor(workspace, staff, catalogue):
    api = client_for(staff)
    first = body(api.get(f"{url(workspace)}?q=o&limit=1"))
    second = body(api.get(f"{url(workspace)}?q=o&limit=1&cursor={first['nextCursor']}"))

    assert [p["name"] for p in first["products"]] == ["Espresso beans"]
    assert [p["name"] for p in second["products"]] == ["Arabic Coffee"]
    assert second["nextCursor"] is None


def test_the_schema_documents_the_filters():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = schema["paths"]["/v1/workspace/{workspace_id}/products"]["get"]["parameters"]

    by_name = {parameter["name"]: parameter for parameter in parameters}
    assert {"q", "sku", "barcode", "limit", "cursor"} <= set(by_name)
    assert all(
        by_name[name]["in"] == "query" and by_name[name]["description"] for name in ("q", "sku", "barcode")
    )


# --- The indexes --------------------------------------------------------------------------------------------


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def _seed(workspace, rows: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %(rows)s)
            INSERT INTO invoicing_product (created_at, updated_at, name, name_ar, sku, barcode, price, track_stock,
              workspace_id)
            SELECT CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'Product ' || n, 'منتج ' || n, 'SKU-' || n,
              CAST(6281000000000 + n AS TEXT), 10, true, %(workspace)s
            FROM g
            """,
            {"rows": rows, "workspace": workspace.pk},
        )
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE invoicing_product")


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({"barcode": "6281000004512"}, "product_barcode_unique"),
        ({"sku": "SKU-4512"}, "product_sku_unique"),
        ({}, "product_list_idx"),
    ],
)
def test_the_lookups_and_the_order_are_served_by_an_index(workspace, other_workspace, filters, index):
    """The partial unique constraints (`WHERE sku IS NOT NULL`) serve `sku = ...` on both databases: `sku = '...'`
    implies the condition. On SQLite every index ends with the rowid, so the workspace's own index gives the order
    too."""
    _seed(workspace, 2_000)  # a shop among bigger ones: its rows are not where the primary key ends
    _seed(other_workspace, 30_000)
    queryset = selectors.product_list(workspace=workspace, filters=filters).order_by("-pk")[:101]

    plan = _plan(queryset)

    served_by = [index] if connection.vendor == "postgresql" else [index, "invoicing_product_workspace_id"]
    assert any(name in plan for name in served_by), plan
    assert "SCAN invoicing_product" not in plan and "Seq Scan" not in plan and "_pkey" not in plan, plan
