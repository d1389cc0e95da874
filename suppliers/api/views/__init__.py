"""Suppliers endpoints (PRODUCT.md section 6; seed 002)."""

from suppliers.api.views.files import SupplierFileView, SupplierInvoiceImageView
from suppliers.api.views.invoices import (
    InvoiceListView,
    SupplierInvoiceDetailView,
    SupplierInvoiceListView,
)
from suppliers.api.views.payments import SupplierPaymentDetailView, SupplierPaymentListView
from suppliers.api.views.reports import AgingView, InvoiceExportView
from suppliers.api.views.suppliers import SupplierDetailView, SupplierListView

__all__ = [
    "AgingView",
    "InvoiceExportView",
    "InvoiceListView",
    "SupplierDetailView",
    "SupplierFileView",
    "SupplierInvoiceDetailView",
    "SupplierInvoiceImageView",
    "SupplierInvoiceListView",
    "SupplierListView",
    "SupplierPaymentDetailView",
    "SupplierPaymentListView",
]
