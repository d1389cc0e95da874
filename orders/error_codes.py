"""The machine codes this app's refusals carry (the `/orders` envelope shows only the message)."""

ORDER_CANCELLED = "order_cancelled"
ORDER_FULLY_INVOICED = "order_fully_invoiced"
ORDER_INVOICED = "order_invoiced"
