"""Examples of `/orders` and `/invoices` bodies for the OpenAPI schema (seed 003's shapes, this product's ids)."""

ORDER_EXAMPLE = {
    "id": "12",
    "entityId": "1",
    "clientId": "7",
    "storeId": "1",
    "status": "open",
    "lineItems": [
        {
            "id": "31",
            "productId": "4",
            "name": "Arabic coffee",
            "quantity": 30,
            "unitPrice": 50,
            "discount": 0,
            "taxIds": ["1"],
            "invoicedQuantity": 0,
        },
        {
            "id": "32",
            "productId": None,
            "name": "Delivery",
            "quantity": 1,
            "unitPrice": 20,
            "discount": 5,
            "taxIds": [],
            "invoicedQuantity": 0,
        },
    ],
    "total": 1740,
    "metaFields": [],
    "createdAt": "2025-12-08T20:40:02.118Z",
    "updatedAt": "2025-12-08T20:40:02.118Z",
}

INVOICE_EXAMPLE = {
    "order": "12",
    "entityId": "1",
    "lineItems": [
        {"lineItemId": "31", "quantity": 30, "id": "55"},
        {"lineItemId": "32", "quantity": 1, "id": "56"},
    ],
    "total": 1740,
    "createdBy": {"id": "3", "name": "Sam Nabahani", "type": "admin"},
    "metaFields": [],
    "createdAt": "2025-12-08T20:43:20.608Z",
    "updatedAt": "2025-12-08T20:43:20.608Z",
    "id": "55",
}

ZATCA_EXAMPLE = {
    "kind": "standard",
    "status": "cleared",
    "uuid": "8e6000cf-1a98-4e16-ab75-0c5a1e0a4d1b",
    "icv": 7,
    "hash": "NWZlY2ViNjZmZmM4NmYzOGQ5NTI3ODZjNmQ2OTZjNzljMmRiYzIzOWRkNGU5MWI0NjcyOWQ3M2EyN2ZiNTdlOQ==",
    "qr": "AQ3YtNix2YPYqSDYp9mE2YLZh9mI2KkCDzMxMDEyMjM5MzUwMDAwMw==",
    "errors": [],
    "warnings": [],
}
