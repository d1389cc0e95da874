"""Writes of the invoicing core, cut along the domain: taxes, products, stock."""

from invoicing.services.products import (
    product_codes_validate,
    product_create,
    product_delete,
    product_price_validate,
    product_taxes_validate,
    product_update,
)
from invoicing.services.sales_invoices import (
    SalesInvoiceLine,
    SalesInvoicePayment,
    sales_invoice_create,
    sales_invoice_issue,
    sales_invoice_update_draft,
)
from invoicing.services.stock import (
    StockLine,
    stock_adjust,
    stock_deduct_for_document,
    stock_put_back,
    stock_restore_for_document,
)
from invoicing.services.stock_sold import stock_deduct_sold
from invoicing.services.taxes import tax_create, tax_kind_change_validate, tax_rate_validate, tax_update

__all__ = [
    "SalesInvoiceLine",
    "SalesInvoicePayment",
    "StockLine",
    "product_codes_validate",
    "product_create",
    "product_delete",
    "product_price_validate",
    "product_taxes_validate",
    "product_update",
    "sales_invoice_create",
    "sales_invoice_issue",
    "sales_invoice_update_draft",
    "stock_adjust",
    "stock_deduct_for_document",
    "stock_deduct_sold",
    "stock_put_back",
    "stock_restore_for_document",
    "tax_create",
    "tax_kind_change_validate",
    "tax_rate_validate",
    "tax_update",
]
