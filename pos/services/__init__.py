"""POS writes, cut along the domain: the business day, order statuses, creating, drafting, checkout, returns."""

from pos.services.checkout import PaymentInput, invoice_cancel, invoice_complete
from pos.services.creating import invoice_create
from pos.services.drafting import (
    invoice_add_discount,
    invoice_add_item,
    invoice_recalculate,
    invoice_remove_discount,
    invoice_remove_item,
    invoice_set_order_status,
    invoice_update_item,
)
from pos.services.order_statuses import ORDER_STATUS_FIELDS, order_status_delete, order_status_save
from pos.services.returns import RefundInput, ReturnLineInput, return_create
from pos.services.sessions import default_store, session_close, session_open
from pos.services.sync import OfflineDiscount, OfflineLine, OfflineSale, sales_sync

__all__ = [
    "ORDER_STATUS_FIELDS",
    "OfflineDiscount",
    "OfflineLine",
    "OfflineSale",
    "PaymentInput",
    "RefundInput",
    "ReturnLineInput",
    "default_store",
    "invoice_add_discount",
    "invoice_add_item",
    "invoice_cancel",
    "invoice_complete",
    "invoice_create",
    "invoice_recalculate",
    "invoice_remove_discount",
    "invoice_remove_item",
    "invoice_set_order_status",
    "invoice_update_item",
    "order_status_delete",
    "order_status_save",
    "return_create",
    "sales_sync",
    "session_close",
    "session_open",
]
