"""The product a till adds to an invoice, with its taxes, in one compiled query (`workspaces.statements`)."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS

from invoicing.models import Product, Tax
from pos.selectors import keep_rows
from workspaces.models import Workspace
from workspaces.statements import CompiledRead, attnames

_TAX_COLUMNS = ("id", "name", "rate", "inclusive")


_PRODUCT = attnames(Product)
_PRODUCT_WITH_TAXES = CompiledRead(
    lambda workspace_id, product_id: (
        Product.objects.filter(workspace_id=workspace_id, pk=product_id)
        .order_by("taxes__id")
        .values_list(*_PRODUCT, *(f"taxes__{name}" for name in _TAX_COLUMNS))
    )
)


def product_for_sale(*, workspace: Workspace, product_id: int) -> Product | None:
    """The workspace's product with its taxes (in id order) in one query, a LEFT JOIN giving one row per tax (a
    product has at most two), compiled once: `product.taxes.all()` then reads nothing. The taxes carry only what a
    line copies."""
    rows = _PRODUCT_WITH_TAXES.rows(workspace_id=workspace.pk, product_id=product_id)
    if not rows:
        return None
    size = len(_PRODUCT)
    product = Product.from_db(DEFAULT_DB_ALIAS, _PRODUCT, rows[0][:size])
    taxes = [Tax.from_db(DEFAULT_DB_ALIAS, _TAX_COLUMNS, row[size:]) for row in rows if row[size] is not None]
    keep_rows(product, taxes=taxes)
    return product
