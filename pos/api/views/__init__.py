"""POS endpoints (PRODUCT.md section 5; seeds 000 and 001). Views parse, authorise, call one service, render."""

from pos.api.views.invoices import (
    InvoiceCancelView,
    InvoiceCompleteView,
    InvoiceDetailView,
    InvoiceDiscountDetailView,
    InvoiceDiscountListView,
    InvoiceItemDetailView,
    InvoiceItemListView,
    InvoiceListView,
    InvoiceReceiptView,
)
from pos.api.views.returns import InvoiceReturnListView, ReturnDetailView, ReturnListView, ReturnReceiptView
from pos.api.views.sessions import (
    OrderStatusDetailView,
    OrderStatusListView,
    SessionCloseView,
    SessionCurrentView,
    SessionDetailView,
    SessionListView,
    SessionReportView,
)

__all__ = [
    "InvoiceCancelView",
    "InvoiceCompleteView",
    "InvoiceDetailView",
    "InvoiceDiscountDetailView",
    "InvoiceDiscountListView",
    "InvoiceItemDetailView",
    "InvoiceItemListView",
    "InvoiceListView",
    "InvoiceReceiptView",
    "InvoiceReturnListView",
    "OrderStatusDetailView",
    "OrderStatusListView",
    "ReturnDetailView",
    "ReturnListView",
    "ReturnReceiptView",
    "SessionCloseView",
    "SessionCurrentView",
    "SessionDetailView",
    "SessionListView",
    "SessionReportView",
]
