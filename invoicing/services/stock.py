"""Writes for stock: deductions and restorations for documents, adjustments. Each in `transaction.atomic`.

Stock invariants (PRODUCT.md section 4):
- every change of a level is one `StockMovement` row, written in the transaction that changes `StockLevel`, so a
  level is always the sum of its movements;
- rows are locked by `invoicing.locks.lock_stock_levels`, always in primary-key order, so two writers never wait on each other in
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

from django.db import IntegrityError
from django.db.models import Case, Exists, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing.locks import lock_stock_levels
from invoicing.models import Product, StockLevel, StockMovement
from invoicing.money import QUANTITY_DECIMAL_PLACES, QUANTITY_MAX_DIGITS, has_at_most_places
from workspaces import codes
from workspaces.errors import ApplicationError, ConflictError, NotFoundError, ValidationFailed
from workspaces.models import Store, Workspace
from workspaces.tenancy import Access, require_in_workspace
from workspaces.transactions import atomic

# A level or a movement must fit DecimalField(15, 3).
MAX_QUANTITY = Decimal(10) ** (QUANTITY_MAX_DIGITS - QUANTITY_DECIMAL_PLACES)
QUANTUM = Decimal(1).scaleb(-QUANTITY_DECIMAL_PLACES)
NOTE_MAX_LENGTH = 255


@dataclass(frozen=True)
class StockLine:
    """What one document line takes out of a store."""

    product_id: int
    quantity: Decimal  # > 0


def _check_store(workspace: Workspace, store: Store) -> None:
    require_in_workspace(store, workspace_id=workspace.pk, message=_("Store not found."))


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


def _insufficient_stock(shortages: list[tuple[Product, Decimal, Decimal]]) -> ApplicationError:
    """422 naming every short product: (product, requested, available)."""
    names = ", ".join(product.name for product, _requested, _available in shortages)
    return ApplicationError(
        _("Not enough stock of: %(products)s.") % {"products": names},
        code="insufficient_stock",
        status=422,
        details={
            "products": [
                {"product_id": str(product.pk), "requested": requested, "available": available}
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


def document_movements(
    *,
    workspace: Workspace,
    store: Store,
    source_type: str,
    source_id: int,
    direction: str,
    reason: str,
    actor: Access | None,
    deltas: dict[int, Decimal],
    short: Iterable[int] = (),
) -> list[StockMovement]:
    """A document's ledger rows in `store`, one per product of `deltas` (product id → signed change), in product
    order; those of `short` flagged `stock_short`. Not written: `insert_out_movements` or `bulk_create`."""
    short = set(short)
    return [
        StockMovement(
            workspace=workspace,
            store=store,
            product_id=pk,
            delta=deltas[pk],
            reason=reason,
            source_type=source_type,
            source_id=source_id,
            direction=direction,
            stock_short=pk in short,
            **_actor_fields(actor),
        )
        for pk in sorted(deltas)
    ]


def insert_out_movements(movements: list[StockMovement]) -> list[StockMovement]:
    """Writes a document's "out" rows; the ledger's unique constraint makes a second deduction of the document a
    409 `stock_already_deducted` (the caller's transaction is then rolled back)."""
    try:
        return StockMovement.objects.bulk_create(movements)
    except IntegrityError as exc:  # the ledger's unique constraint: this document left this store already
        raise ConflictError(
            _("The stock of this document has already been deducted."), code="stock_already_deducted"
        ) from exc


@atomic
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
    A sale that already happened (made offline) is never refused: `invoicing.services.stock_sold`.
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

    # The products, and whether the document has left a store already, in one query.
    deducted = StockMovement.objects.filter(
        workspace=workspace,
        source_type=source_type,
        source_id=source_id,
        direction=StockMovement.Direction.OUT,
    )
    products = (
        Product.with_deleted.filter(workspace=workspace, pk__in=requested)
        .only("pk", "name", "track_stock")
        .annotate(document_deducted=Exists(deducted))
    )
    products_by_id = {product.pk: product for product in products}
    missing = [product_id for product_id in requested if product_id not in products_by_id]
    if missing:
        raise NotFoundError(_("Product not found."), details={"product_ids": [str(pk) for pk in missing]})
    tracked = {pk: quantity for pk, quantity in requested.items() if products_by_id[pk].track_stock}
    if not tracked:
        return []
    if any(product.document_deducted for product in products_by_id.values()):
        raise ConflictError(
            _("The stock of this document has already been deducted."), code="stock_already_deducted"
        )

    levels = lock_stock_levels(workspace=workspace, store=store, product_ids=tracked)

    if not workspace.allow_negative_stock:
        shortages = [
            (products_by_id[pk], quantity, levels[pk].quantity)
            for pk, quantity in tracked.items()  # in the order of the document's lines
            if levels[pk].quantity - quantity < 0
        ]
        if shortages:
            raise _insufficient_stock(shortages)

    created = insert_out_movements(
        document_movements(
            workspace=workspace,
            store=store,
            source_type=source_type,
            source_id=source_id,
            direction=StockMovement.Direction.OUT,
            reason=reason,
            actor=actor,
            deltas={pk: -quantity for pk, quantity in tracked.items()},
        )
    )
    _apply(levels.values(), {pk: -quantity for pk, quantity in tracked.items()})
    return created


@atomic
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
    levels = lock_stock_levels(workspace=workspace, store=store, product_ids=taken)
    if document.filter(direction=StockMovement.Direction.BACK).exists():
        return []
    movements = document_movements(
        workspace=workspace,
        store=store,
        source_type=source_type,
        source_id=source_id,
        direction=StockMovement.Direction.BACK,
        reason=reason,
        actor=actor,
        deltas=taken,
    )
    created = StockMovement.objects.bulk_create(movements)
    _apply(levels.values(), taken)
    return created


@atomic
def stock_put_back(
    *,
    workspace: Workspace,
    store: Store,
    source_type: str,
    source_id: int,
    lines: Sequence[StockLine],
    actor: Access | None,
    reason: str = StockMovement.Reason.RETURN,
) -> list[StockMovement]:
    """Puts part of what a sale took out back into `store` for a document of its own (a credit note: `source_type`
    and `source_id` are the return's): one "back" movement per product of `lines` (lines of a product add up) and
    the levels raised. The caller passes only products whose stock the sale took out: their levels exist.

    Two statements: one UPDATE raises the levels, its sub-select locking them in primary-key order (the house's
    order: it never waits on a sale in the opposite order), then the movements. The ledger's unique constraint
    makes each document's return of a product happen once.
    """
    _check_store(workspace, store)
    _check_reason(reason)
    back: dict[int, Decimal] = {}
    for line in lines:
        back[line.product_id] = back.get(line.product_id, Decimal(0)) + _quantity(
            line.quantity, positive=True
        )
    if not back:
        return []
    locked = (
        StockLevel.objects.select_for_update(of=("self",))
        .filter(workspace=workspace, store=store, product_id__in=back)
        .order_by("pk")
        .values("pk")[: len(back)]
    )
    raised = Case(
        *(When(product_id=product_id, then=Value(quantity)) for product_id, quantity in back.items()),
        output_field=StockLevel._meta.get_field("quantity"),
    )
    StockLevel.objects.filter(pk__in=locked).update(
        quantity=F("quantity") + raised, updated_at=timezone.now()
    )
    return StockMovement.objects.bulk_create(
        document_movements(
            workspace=workspace,
            store=store,
            source_type=source_type,
            source_id=source_id,
            direction=StockMovement.Direction.BACK,
            reason=reason,
            actor=actor,
            deltas=back,
        )
    )


@atomic
def stock_adjust(
    *,
    workspace: Workspace,
    store: Store,
    product: Product,
    quantity: Decimal,
    reason: str,
    access: Access,
) -> StockLevel:
    """Changes a product's level in `store` by `quantity` (signed, not zero): one "adjust" movement with
    `reason="adjustment"` and the caller's text (`reason`: "stock count", "damaged") as its note. Needs
    `catalog.manage`.

    Taking stock out below zero is a 422 `insufficient_stock` unless the workspace allows negative stock.
    """
    access.require(codes.CATALOG_MANAGE)
    _check_store(workspace, store)
    require_in_workspace(product, workspace_id=workspace.pk, message=_("Product not found."))
    quantity = _quantity(quantity, positive=False)
    note = (reason or "").strip()
    if not note or len(note) > NOTE_MAX_LENGTH:
        raise ValidationFailed(
            {"reason": [_("A reason of 1 to %(max)d characters is required.") % {"max": NOTE_MAX_LENGTH}]}
        )

    level = lock_stock_levels(workspace=workspace, store=store, product_ids=[product.pk])[product.pk]
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
        **_actor_fields(access),
    )
    _apply([level], {product.pk: quantity})
    return level
