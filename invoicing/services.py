"""Writes for the catalogue (taxes, products) and stock. Keyword-only, typed, each in `transaction.atomic`.

Stock invariants (PRODUCT.md section 4):
- every change of a level is one `StockMovement` row, written in the transaction that changes `StockLevel`, so a
  level is always the sum of its movements;
- rows are locked by `_lock_levels`, always in primary-key order, so two writers never wait on each other in
  opposite orders (no deadlock, whatever the order of a document's lines);
- a tracked product never goes below zero unless the workspace allows negative stock (422 `insufficient_stock`
  naming every short product, and nothing is written);
- a document's stock leaves once and comes back at most once, checked under the locks and guaranteed by the
  ledger's unique constraint.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing.calculations import MAX_TAXES_PER_LINE
from invoicing.models import TAX_RATE_DECIMAL_PLACES, Product, StockLevel, StockMovement, Tax
from invoicing.money import (
    PRICE_DECIMAL_PLACES,
    QUANTITY_DECIMAL_PLACES,
    QUANTITY_MAX_DIGITS,
    has_at_most_places,
)
from workspaces.api.errors import ApplicationError, ConflictError, NotFoundError, ValidationFailed
from workspaces.models import Store, Workspace
from workspaces.tenancy import Access

# A level or a movement must fit DecimalField(15, 3).
MAX_QUANTITY = Decimal(10) ** (QUANTITY_MAX_DIGITS - QUANTITY_DECIMAL_PLACES)
NOTE_MAX_LENGTH = 255


# --- Taxes ---------------------------------------------------------------------------------------------------


def tax_rate_validate(*, rate: Decimal) -> None:
    """A percent from 0 to 100 with at most four decimals (`ValidationFailed` on `rate`)."""
    if not isinstance(rate, Decimal) or not rate.is_finite() or not Decimal(0) <= rate <= Decimal(100):
        raise ValidationFailed({"rate": [_("A rate is a percent from 0 to 100.")]})
    if not has_at_most_places(rate, TAX_RATE_DECIMAL_PLACES):
        raise ValidationFailed(
            {"rate": [_("At most %(places)d decimal places.") % {"places": TAX_RATE_DECIMAL_PLACES}]}
        )


@transaction.atomic
def tax_create(*, workspace: Workspace, data: dict[str, Any]) -> Tax:
    """`data`: name, rate (percent), inclusive (None or absent: the workspace's `prices_include_tax`)."""
    tax_rate_validate(rate=data["rate"])
    inclusive = data.get("inclusive")
    if inclusive is None:
        inclusive = workspace.prices_include_tax
    return Tax.objects.create(workspace=workspace, name=data["name"], rate=data["rate"], inclusive=inclusive)


def tax_kind_change_validate(*, tax: Tax, inclusive: bool) -> None:
    """A tax may change kind (inclusive/exclusive) only while no product carries it beside a tax of the other
    kind: no product may mix them."""
    if inclusive == tax.inclusive:
        return
    others_of_the_other_kind = Tax.objects.filter(
        workspace_id=tax.workspace_id, inclusive=not inclusive
    ).exclude(pk=tax.pk)
    if Product.objects.filter(taxes=tax).filter(taxes__in=others_of_the_other_kind).exists():
        raise ValidationFailed(
            {"inclusive": [_("A product carries this tax together with a tax of the other kind.")]}
        )


@transaction.atomic
def tax_update(*, tax: Tax, data: dict[str, Any]) -> Tax:
    """Changes the fields present in `data`; a change of kind follows `tax_kind_change_validate`."""
    if "rate" in data:
        tax_rate_validate(rate=data["rate"])
        tax.rate = data["rate"]
    if "name" in data:
        tax.name = data["name"]
    if data.get("inclusive") is not None and data["inclusive"] != tax.inclusive:
        tax_kind_change_validate(tax=tax, inclusive=data["inclusive"])
        tax.inclusive = data["inclusive"]
    tax.save()
    return tax


# --- Products ------------------------------------------------------------------------------------------------


def _check_tax_list(keys: Sequence[object]) -> None:
    if len(set(keys)) != len(keys):
        raise ValidationFailed({"taxIds": [_("The same tax is listed twice.")]})
    if len(keys) > MAX_TAXES_PER_LINE:
        raise ValidationFailed(
            {"taxIds": [_("A product carries at most %(max)d taxes.") % {"max": MAX_TAXES_PER_LINE}]}
        )


def product_taxes_validate(*, taxes: Sequence[Tax]) -> None:
    """The taxes one product may carry: at most two, distinct, never an inclusive and an exclusive one together
    (the totals calculator refuses such a line). Raises `ValidationFailed` on `taxIds`."""
    _check_tax_list([tax.pk for tax in taxes])
    if len({tax.inclusive for tax in taxes}) > 1:
        raise ValidationFailed(
            {"taxIds": [_("A product cannot carry an inclusive and an exclusive tax together.")]}
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
        raise NotFoundError(_("Tax not found."), details={"taxIds": [str(tax_id) for tax_id in missing]})
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
def product_create(*, workspace: Workspace, data: dict[str, Any]) -> Product:
    """`data`: name, name_ar?, sku?, barcode?, price, tax_ids?, track_stock? (default true).
    SKU and barcode are unique per workspace when set (409 `sku_taken` / `barcode_taken`)."""
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
def product_update(*, product: Product, data: dict[str, Any]) -> Product:
    """Changes the fields present in `data` (same keys as `product_create`); `tax_ids` replaces the taxes."""
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
def product_delete(*, product: Product) -> None:
    """A product that documents or the stock ledger refer to is protected (PROTECT foreign keys): Django raises
    `ProtectedError`, which the API answers with 409 `in_use` and the admin with its "cannot delete" page."""
    product.delete()


# --- Stock ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StockLine:
    """What one document line takes out of a store."""

    product_id: int
    quantity: Decimal  # > 0


def _check_store(workspace: Workspace, store: Store) -> None:
    if store.workspace_id != workspace.pk:
        raise NotFoundError(_("Store not found."))


def _check_reason(reason: str) -> None:
    if reason not in StockMovement.Reason.values:  # a caller's mistake, not the user's
        raise ValueError(f"Unknown stock movement reason: {reason!r}")


def _actor_fields(actor: Access | None) -> dict[str, Any]:
    if actor is None:
        return {"created_by": None, "api_key": None}
    return {"created_by": actor.user, "api_key": actor.api_key}


def _quantity(value: Decimal | int, *, positive: bool) -> Decimal:
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite() or (value <= 0 if positive else value == 0):
        message = (
            _("A quantity is more than zero.") if positive else _("A quantity other than zero is required.")
        )
        raise ValidationFailed({"quantity": [message]})
    if not has_at_most_places(value, QUANTITY_DECIMAL_PLACES):
        raise ValidationFailed(
            {"quantity": [_("At most %(places)d decimal places.") % {"places": QUANTITY_DECIMAL_PLACES}]}
        )
    if abs(value) >= MAX_QUANTITY:
        raise ValidationFailed({"quantity": [_("This quantity is too large.")]})
    return value


def _check_storable(level: Decimal) -> None:
    if abs(level) >= MAX_QUANTITY:
        raise ValidationFailed({"quantity": [_("The stock level would be too large to store.")]})


def _lock_levels(*, workspace: Workspace, store: Store, product_ids: Iterable[int]) -> dict[int, StockLevel]:
    """The levels of `product_ids` in `store`, created at 0 where missing, locked until the transaction ends.

    Missing rows are inserted in product-id order (`INSERT ... ON CONFLICT DO NOTHING`: two first writers may
    run it at once) and then locked in primary-key order: concurrent writers queue instead of deadlocking,
    whatever the order of their lines.
    """
    product_ids = sorted(set(product_ids))
    StockLevel.objects.bulk_create(
        [StockLevel(workspace=workspace, store=store, product_id=product_id) for product_id in product_ids],
        ignore_conflicts=True,
    )
    levels = (
        StockLevel.objects.select_for_update()
        .filter(workspace=workspace, store=store, product_id__in=product_ids)
        .order_by("pk")
    )
    return {level.product_id: level for level in levels}


def _insufficient_stock(shortages: list[tuple[Product, Decimal, Decimal]]) -> ApplicationError:
    """422 naming every short product: (product, requested, available)."""
    names = ", ".join(product.name for product, _requested, _available in shortages)
    return ApplicationError(
        _("Not enough stock of: %(products)s.") % {"products": names},
        code="insufficient_stock",
        status=422,
        details={
            "products": [
                {"productId": str(product.pk), "requested": requested, "available": available}
                for product, requested, available in shortages
            ]
        },
    )


def _apply(levels: Iterable[StockLevel], changes: dict[int, Decimal]) -> None:
    """Writes the new quantities of locked levels (one UPDATE). The locked value is current: no lost update."""
    now = timezone.now()
    changed = []
    for level in levels:
        if level.product_id in changes:
            level.quantity += changes[level.product_id]
            _check_storable(level.quantity)
            level.updated_at = now
            changed.append(level)
    StockLevel.objects.bulk_update(changed, ["quantity", "updated_at"])


@transaction.atomic
def stock_deduct_for_document(
    *,
    workspace: Workspace,
    store: Store,
    source_type: str,
    source_id: int,
    lines: Sequence[StockLine],
    actor: Access | None,
    reason: str = StockMovement.Reason.SALE,
) -> list[StockMovement]:
    """Takes a completed document's quantities out of `store`: one "out" movement per tracked product (lines of
    the same product add up), and the levels lowered, in one transaction.

    - Products with `track_stock=False` are skipped; a product of another workspace is a 404.
    - Below zero only where the workspace allows negative stock; otherwise a 422 `insufficient_stock` names every
      short product and nothing is deducted.
    - A document is deducted once: a second call is a 409 `stock_already_deducted` and changes nothing. The
      check runs under the level locks, and the ledger's unique constraint backs it.
    Returns the movements written, by product id ([] when no line is tracked).
    """
    _check_store(workspace, store)
    _check_reason(reason)
    requested: dict[int, Decimal] = {}
    for line in lines:
        quantity = _quantity(line.quantity, positive=True)
        requested[line.product_id] = requested.get(line.product_id, Decimal(0)) + quantity
    if not requested:
        return []
    for quantity in requested.values():
        _check_storable(quantity)

    products = Product.objects.filter(workspace=workspace, pk__in=requested).only("pk", "name", "track_stock")
    products_by_id = {product.pk: product for product in products}
    missing = [product_id for product_id in requested if product_id not in products_by_id]
    if missing:
        raise NotFoundError(_("Product not found."), details={"productIds": [str(pk) for pk in missing]})
    tracked = {pk: quantity for pk, quantity in requested.items() if products_by_id[pk].track_stock}
    if not tracked:
        return []

    levels = _lock_levels(workspace=workspace, store=store, product_ids=tracked)
    document = StockMovement.objects.filter(workspace=workspace, source_type=source_type, source_id=source_id)
    if document.filter(direction=StockMovement.Direction.OUT).exists():
        raise ConflictError(
            _("The stock of this document has already been deducted."), code="stock_already_deducted"
        )

    if not workspace.allow_negative_stock:
        shortages = [
            (products_by_id[pk], quantity, levels[pk].quantity)
            for pk, quantity in tracked.items()  # in the order of the document's lines
            if levels[pk].quantity - quantity < 0
        ]
        if shortages:
            raise _insufficient_stock(shortages)

    movements = [
        StockMovement(
            workspace=workspace,
            store=store,
            product_id=pk,
            delta=-tracked[pk],
            reason=reason,
            source_type=source_type,
            source_id=source_id,
            direction=StockMovement.Direction.OUT,
            **_actor_fields(actor),
        )
        for pk in sorted(tracked)
    ]
    try:
        created = StockMovement.objects.bulk_create(movements)
    except IntegrityError as exc:  # the ledger's unique constraint: this document left this store already
        raise ConflictError(
            _("The stock of this document has already been deducted."), code="stock_already_deducted"
        ) from exc
    _apply(levels.values(), {pk: -quantity for pk, quantity in tracked.items()})
    return created


@transaction.atomic
def stock_restore_for_document(
    *,
    workspace: Workspace,
    store: Store,
    source_type: str,
    source_id: int,
    actor: Access | None,
    reason: str = StockMovement.Reason.SALE_REVERSAL,
) -> list[StockMovement]:
    """Puts back exactly what the document's "out" movements took from `store`, once ("back" movements).

    Nothing deducted, or already restored: changes nothing and returns []. Restoring follows the ledger, not the
    products' current `track_stock`. The "already restored" check runs under the level locks.
    """
    _check_store(workspace, store)
    _check_reason(reason)
    document = StockMovement.objects.filter(
        workspace=workspace, store=store, source_type=source_type, source_id=source_id
    )
    taken: dict[int, Decimal] = {}
    for product_id, delta in document.filter(direction=StockMovement.Direction.OUT).values_list(
        "product_id", "delta"
    ):
        taken[product_id] = taken.get(product_id, Decimal(0)) - delta
    if not taken:
        return []
    levels = _lock_levels(workspace=workspace, store=store, product_ids=taken)
    if document.filter(direction=StockMovement.Direction.BACK).exists():
        return []
    movements = [
        StockMovement(
            workspace=workspace,
            store=store,
            product_id=pk,
            delta=taken[pk],
            reason=reason,
            source_type=source_type,
            source_id=source_id,
            direction=StockMovement.Direction.BACK,
            **_actor_fields(actor),
        )
        for pk in sorted(taken)
    ]
    created = StockMovement.objects.bulk_create(movements)
    _apply(levels.values(), taken)
    return created


@transaction.atomic
def stock_adjust(
    *,
    workspace: Workspace,
    store: Store,
    product: Product,
    quantity: Decimal,
    reason: str,
    actor: Access | None,
) -> StockLevel:
    """Changes a product's level in `store` by `quantity` (signed, not zero): one "adjust" movement with
    `reason="adjustment"` and the caller's text (`reason`: "stock count", "damaged") as its note.

    Taking stock out below zero is a 422 `insufficient_stock` unless the workspace allows negative stock.
    """
    _check_store(workspace, store)
    if product.workspace_id != workspace.pk:
        raise NotFoundError(_("Product not found."))
    quantity = _quantity(quantity, positive=False)
    note = (reason or "").strip()
    if not note or len(note) > NOTE_MAX_LENGTH:
        raise ValidationFailed(
            {"reason": [_("A reason of 1 to %(max)d characters is required.") % {"max": NOTE_MAX_LENGTH}]}
        )

    level = _lock_levels(workspace=workspace, store=store, product_ids=[product.pk])[product.pk]
    if quantity < 0 and level.quantity + quantity < 0 and not workspace.allow_negative_stock:
        raise _insufficient_stock([(product, -quantity, level.quantity)])
    StockMovement.objects.create(
        workspace=workspace,
        store=store,
        product=product,
        delta=quantity,
        reason=StockMovement.Reason.ADJUSTMENT,
        direction=StockMovement.Direction.ADJUST,
        note=note,
        **_actor_fields(actor),
    )
    _apply([level], {product.pk: quantity})
    return level
