"""Writes for products: prices, unique SKU and barcode per workspace, at most two taxes of one kind."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, router, transaction
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing.calculations import MAX_TAXES_PER_LINE
from invoicing.models import Product, Tax
from invoicing.money import PRICE_DECIMAL_PLACES, has_at_most_places
from workspaces import codes
from workspaces.errors import ConflictError, NotFoundError, ValidationFailed
from workspaces.models import Workspace
from workspaces.tenancy import Access


def _check_tax_list(keys: Sequence[object]) -> None:
    if len(set(keys)) != len(keys):
        raise ValidationFailed({"tax_ids": [_("The same tax is listed twice.")]})
    if len(keys) > MAX_TAXES_PER_LINE:
        raise ValidationFailed(
            {"tax_ids": [_("A product carries at most %(max)d taxes.") % {"max": MAX_TAXES_PER_LINE}]}
        )


def product_taxes_validate(*, taxes: Sequence[Tax]) -> None:
    """The taxes one product may carry: at most two, distinct, never an inclusive and an exclusive one together
    (the totals calculator refuses such a line). Raises `ValidationFailed` on `taxIds`."""
    _check_tax_list([tax.pk for tax in taxes])
    if len({tax.inclusive for tax in taxes}) > 1:
        raise ValidationFailed(
            {"tax_ids": [_("A product cannot carry an inclusive and an exclusive tax together.")]}
        )


def _taxes_of(*, workspace: Workspace, tax_ids: Sequence[int] | None) -> list[Tax]:
    """The workspace's taxes named by `tax_ids`, in that order: an unknown or foreign id is a 404."""
    tax_ids = list(tax_ids or [])
    _check_tax_list(tax_ids)
    if not tax_ids:
        return []
    found = {tax.pk: tax for tax in Tax.objects.filter(workspace=workspace, pk__in=tax_ids)}
    missing = [tax_id for tax_id in tax_ids if tax_id not in found]
    if missing:
        raise NotFoundError(_("Tax not found."), details={"tax_ids": [str(tax_id) for tax_id in missing]})
    taxes = [found[tax_id] for tax_id in tax_ids]
    product_taxes_validate(taxes=taxes)
    return taxes


def _code(value: str | None) -> str | None:
    """An optional SKU or barcode: blank means none (many products share "none", not "")."""
    value = (value or "").strip()
    return value or None


def product_price_validate(*, price: Decimal) -> None:
    """Zero or more, at most four decimals (`ValidationFailed` on `price`)."""
    if not isinstance(price, Decimal) or not price.is_finite() or price < 0:
        raise ValidationFailed({"price": [_("A price is zero or more.")]})
    if not has_at_most_places(price, PRICE_DECIMAL_PLACES):
        raise ValidationFailed(
            {"price": [_("At most %(places)d decimal places.") % {"places": PRICE_DECIMAL_PLACES}]}
        )


def product_codes_validate(
    *, workspace: Workspace, sku: str | None, barcode: str | None, product_id: int | None = None
) -> None:
    """409 `sku_taken` / `barcode_taken` when another product of the workspace (not `product_id`) has this SKU or
    barcode. The database's unique constraints back it against races."""
    others = Product.objects.filter(workspace=workspace).exclude(pk=product_id)
    if sku is not None and others.filter(sku=sku).exists():
        raise ConflictError(_("Another product has this SKU."), code="sku_taken")
    if barcode is not None and others.filter(barcode=barcode).exists():
        raise ConflictError(_("Another product has this barcode."), code="barcode_taken")


def _check_codes_free(*, product: Product, sku: bool, barcode: bool) -> None:
    product_codes_validate(
        workspace=product.workspace,
        sku=product.sku if sku else None,
        barcode=product.barcode if barcode else None,
        product_id=product.pk,
    )


def _save_product(product: Product, *, sku: bool, barcode: bool) -> None:
    _check_codes_free(product=product, sku=sku, barcode=barcode)
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError as exc:
        # A concurrent write took the code between the check and the save; it has committed, so say which.
        _check_codes_free(product=product, sku=True, barcode=True)
        raise ConflictError(_("The request conflicts with the current state of the data.")) from exc


@transaction.atomic
def product_create(*, workspace: Workspace, access: Access, data: dict[str, Any]) -> Product:
    """`data`: name, name_ar?, sku?, barcode?, price, tax_ids?, track_stock? (default true).
    SKU and barcode are unique per workspace when set (409 `sku_taken` / `barcode_taken`). Needs `catalog.manage`."""
    access.require(codes.CATALOG_MANAGE)
    product = Product(
        workspace=workspace,
        name=data["name"],
        name_ar=data.get("name_ar") or "",
        sku=_code(data.get("sku")),
        barcode=_code(data.get("barcode")),
        price=data["price"],
        track_stock=data.get("track_stock", True),
    )
    product_price_validate(price=product.price)
    taxes = _taxes_of(workspace=workspace, tax_ids=data.get("tax_ids"))
    _save_product(product, sku=True, barcode=True)
    if taxes:
        product.taxes.set(taxes)
    return product


@transaction.atomic
def product_update(*, product: Product, access: Access, data: dict[str, Any]) -> Product:
    """Changes the fields present in `data` (same keys as `product_create`); `tax_ids` replaces the taxes. Needs
    `catalog.manage`."""
    access.require(codes.CATALOG_MANAGE)
    for name in ("name", "price", "track_stock"):
        if name in data:
            setattr(product, name, data[name])
    if "name_ar" in data:
        product.name_ar = data["name_ar"] or ""
    if "sku" in data:
        product.sku = _code(data["sku"])
    if "barcode" in data:
        product.barcode = _code(data["barcode"])
    if "price" in data:
        product_price_validate(price=product.price)
    taxes = _taxes_of(workspace=product.workspace, tax_ids=data["tax_ids"]) if "tax_ids" in data else None
    _save_product(product, sku="sku" in data, barcode="barcode" in data)
    if taxes is not None:
        product.taxes.set(taxes)
    return product


@transaction.atomic
def product_delete(*, product: Product, access: Access) -> None:
    """A product that documents or the stock ledger refer to is protected (PROTECT foreign keys): Django raises
    `ProtectedError`, which the API answers with 409 `in_use` and the admin with its "cannot delete" page. Any
    other is hidden from every read (`deleted_at`) but kept, so that a sale a till made offline before it heard of
    the deletion still lands (section 8d), with the taxes it had. Needs `catalog.manage`."""
    access.require(codes.CATALOG_MANAGE)
    Collector(using=router.db_for_write(Product)).collect(
        [product]
    )  # ProtectedError when documents refer to it
    Product.with_deleted.filter(pk=product.pk).update(deleted_at=timezone.now())
