"""Tenancy rows for the section 4 endpoints (picked up by tests/tenancy/test_tenancy.py)."""

from __future__ import annotations

from tests.factories import StoreFactory
from tests.invoicing.factories import ProductFactory, TaxFactory
from tests.tenancy.rows import Row

CATALOG = "catalog.manage"


def _tax(workspace):
    return TaxFactory(workspace=workspace)


def _product(workspace):
    return ProductFactory(workspace=workspace)


def _store(workspace):
    return StoreFactory(workspace=workspace)


ROWS: list[Row] = [
    Row("GET", "/v1/workspace/{ws}/taxes", None),
    Row("POST", "/v1/workspace/{ws}/taxes", CATALOG, body={"name": "VAT", "rate": 15}),
    Row("GET", "/v1/workspace/{ws}/taxes/{obj}", None, make=_tax),
    Row("PATCH", "/v1/workspace/{ws}/taxes/{obj}", CATALOG, make=_tax, body={"name": "VAT"}),
    Row("GET", "/v1/workspace/{ws}/products", None),
    Row("POST", "/v1/workspace/{ws}/products", CATALOG, body={"name": "Tea", "price": "5"}),
    Row("GET", "/v1/workspace/{ws}/products/{obj}", None, make=_product),
    Row("PATCH", "/v1/workspace/{ws}/products/{obj}", CATALOG, make=_product, body={"name": "Tea"}),
    Row("DELETE", "/v1/workspace/{ws}/products/{obj}", CATALOG, make=_product),
    Row("GET", "/v1/workspace/{ws}/stores/{obj}/stock", None, make=_store),
    Row(
        "POST",
        "/v1/workspace/{ws}/stores/{obj}/stock-adjustments",
        CATALOG,
        make=_store,
        body={"productId": "1", "quantity": "5", "reason": "count"},
    ),
    Row("GET", "/v1/workspace/{ws}/stores/{obj}/zatca", "owner", make=_store),
    Row(
        "POST",
        "/v1/workspace/{ws}/stores/{obj}/zatca/onboard",
        "owner",
        make=_store,
        body={"otp": "123345", "environment": "sandbox"},
    ),
]
