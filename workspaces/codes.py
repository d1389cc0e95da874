"""Permission codes: the one list of what a staff member can be granted (PRODUCT.md section 3)."""

from django.utils.translation import gettext_lazy as _

STORE_ORDERS_MANAGE = "store.orders.manage"
POS_SESSIONS_MANAGE = "pos.sessions.manage"
POS_INVOICES_VOID = "pos.invoices.void"
CLIENTS_MANAGE = "clients.manage"
CATALOG_MANAGE = "catalog.manage"
SUPPLIERS_VIEW = "suppliers.view"
SUPPLIERS_MANAGE = "suppliers.manage"
ORDERS_MANAGE = "orders.manage"
INVOICES_MANAGE = "invoices.manage"

PERMISSION_CHOICES = [
    (STORE_ORDERS_MANAGE, _("POS invoices")),
    (POS_SESSIONS_MANAGE, _("Open and close the business day")),
    (POS_INVOICES_VOID, _("Void or refund a completed POS invoice")),
    (CLIENTS_MANAGE, _("Manage clients")),
    (CATALOG_MANAGE, _("Manage products, taxes and stock")),
    (SUPPLIERS_VIEW, _("View suppliers")),
    (SUPPLIERS_MANAGE, _("Manage suppliers")),
    (ORDERS_MANAGE, _("Orders and order invoices")),
    (INVOICES_MANAGE, _("Invoices (api2)")),
]
PERMISSION_CODES: tuple[str, ...] = tuple(code for code, _label in PERMISSION_CHOICES)

# A granted code also grants these.
IMPLIED = {SUPPLIERS_MANAGE: (SUPPLIERS_VIEW,)}

# Not a grantable code: the marker of endpoints only the workspace owner may call.
OWNER = "owner"


def expand(codes: list[str] | tuple[str, ...]) -> frozenset[str]:
    granted = set(codes)
    for code in codes:
        granted.update(IMPLIED.get(code, ()))
    return frozenset(granted)
