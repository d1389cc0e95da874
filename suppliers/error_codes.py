"""The machine codes the suppliers app answers with (PRODUCT.md sections 3 and 6)."""

SUPPLIERS_DISABLED = "suppliers_disabled"
DUPLICATE_INVOICE_NUMBER = "duplicate_invoice_number"
OVERPAYMENT = "overpayment"
INVOICE_HAS_PAYMENTS = "invoice_has_payments"
IN_USE = "in_use"
TOO_MANY_ROWS = "too_many_rows"
QUOTA_EXCEEDED = "quota_exceeded"
