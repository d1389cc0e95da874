"""What the api2 tests share: a workspace's API key, seed 004's request text, exact reading of answers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework.test import APIClient

from tests.factories import owner_access
from tests.invoicing.helpers import body
from workspaces.models import Workspace
from workspaces.services import api_key_create

# Seed 004's example request, byte for byte as its curl sends it (`--data-raw`); ids are placeholders.
SEED_REQUEST = """{
"Invoice": {
"client_id": 15,
"store_id": 1,
"currency_code": "USD",
"date": "2023-03-23",
"draft": 0,
"notes": "Invoice for March services",
"InvoiceItem": [
{
"product_id": 1,
"quantity": 2,
"unit_price": 100
},
{
"product_id": 3,
"quantity": 1,
"unit_price": 50,
"discount": 10,
"discount_type": 1
}
]
}
}"""


def seed_request(*, client_id: int, store_id: int, first_product_id: int, second_product_id: int) -> bytes:
    """The seed's text with its example ids replaced by real ones, nothing else changed."""
    text = (
        SEED_REQUEST.replace('"client_id": 15,', f'"client_id": {client_id},')
        .replace('"store_id": 1,', f'"store_id": {store_id},')
        .replace('"product_id": 1,', f'"product_id": {first_product_id},')
        .replace('"product_id": 3,', f'"product_id": {second_product_id},')
    )
    return text.encode()


def key_client(workspace: Workspace, *, header: str = "bearer") -> APIClient:
    """A client holding a new API key of `workspace`, sent as `Authorization: Bearer` or as `APIKEY`."""
    _key, raw = api_key_create(workspace=workspace, access=owner_access(workspace), name="Integration")
    api = APIClient()
    if header == "bearer":
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    else:
        api.credentials(HTTP_APIKEY=raw)
    return api


def post_invoice(api: APIClient, payload: Any, *, path: str = "/api2/invoices.json", **headers: str):
    return api.post(path, data=payload, format="json", **headers)


def item(product_id: int, quantity: Any = 1, unit_price: Any = 10, **fields: Any) -> dict[str, Any]:
    return {"product_id": product_id, "quantity": quantity, "unit_price": unit_price, **fields}


def dec(value: str) -> Decimal:
    return Decimal(value)


__all__ = ["SEED_REQUEST", "body", "dec", "item", "key_client", "post_invoice", "seed_request"]
