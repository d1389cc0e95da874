"""Supplier writes, cut along the domain: suppliers, their invoices, payments, invoice images."""

from suppliers.services.images import invoice_image_store
from suppliers.services.invoices import (
    INVOICE_FIELDS,
    supplier_invoice_create,
    supplier_invoice_delete,
    supplier_invoice_update,
)
from suppliers.services.payments import supplier_payment_add, supplier_payment_remove
from suppliers.services.suppliers import (
    SUPPLIER_FIELDS,
    supplier_create,
    supplier_delete,
    supplier_update,
)

__all__ = [
    "INVOICE_FIELDS",
    "SUPPLIER_FIELDS",
    "invoice_image_store",
    "supplier_create",
    "supplier_delete",
    "supplier_invoice_create",
    "supplier_invoice_delete",
    "supplier_invoice_update",
    "supplier_payment_add",
    "supplier_payment_remove",
    "supplier_update",
]
