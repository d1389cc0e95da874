"""Row locks of the POS. Each locks one table and takes rows in primary-key order.

Lock order (docs/ARCHITECTURE.md): the business session, then its invoices, then the invoicing core's rows (the
document counter, the stock levels). Never the workspace or the store row: all tills of a shop would queue.

A sale (creating, completing) holds its session `FOR SHARE`: tills of one store sell at once, and a close, which
takes the session `FOR UPDATE`, waits for every sale in flight; a sale that starts after the close sees it closed.
"""

from __future__ import annotations

from django.db.models import Exists, Field, FilteredRelation, Func, OuterRef, Q, Subquery, Value

from invoicing.models import StockMovement
from invoicing.zatca.models import ZatcaDevice
from pos.models import BusinessSession, OrderStatus, PosInvoice, PosInvoiceDiscount, PosInvoiceItem
from workspaces.models import ApiKey, User, Workspace
from workspaces.statements import CompiledRead, attnames, instance


def lock_session(session_id: int) -> BusinessSession:
    """The session `FOR UPDATE`: closing it waits for the sales holding it `FOR SHARE`."""
    return BusinessSession.objects.select_for_update(of=("self",)).get(pk=session_id)


SESSION_COLUMNS = attnames(BusinessSession)
SHARE = 'FOR SHARE OF "pos_businesssession"'  # a CompiledRead's lock


def _signs(store: str) -> Exists:
    """Whether the store has an onboarded ZATCA device (its documents are signed: `pos.einvoicing`)."""
    return Exists(ZatcaDevice.objects.filter(store_id=OuterRef(store), status=ZatcaDevice.Status.ACTIVE))


_SESSION_OF_INVOICE = CompiledRead(
    lambda invoice_id, workspace_id: (
        BusinessSession.objects.filter(
            pk=Subquery(
                PosInvoice.objects.filter(pk=invoice_id, workspace_id=workspace_id).values("session_id")[:1]
            )
        )
        .annotate(zatca_device=_signs("store_id"))
        .values_list(*SESSION_COLUMNS, "zatca_device")
    ),
    lock=SHARE,
)


def share_session_of_invoice(*, invoice_id: int, workspace_id: int) -> BusinessSession | None:
    """The session of the workspace's invoice `FOR SHARE`, read and locked in one compiled query, saying whether
    its store signs its documents (`zatca_device`); None: no such invoice."""
    return _session_signing(_SESSION_OF_INVOICE.rows(invoice_id=invoice_id, workspace_id=workspace_id))


def _session_signing(rows: list[tuple]) -> BusinessSession | None:
    """The session of a read's first row (`SESSION_COLUMNS`, then `zatca_device`), or None for no row."""
    if not rows:
        return None
    session = instance(BusinessSession, SESSION_COLUMNS, rows[0][:-1])
    session.zatca_device = rows[0][-1]
    return session


_OPEN_SESSION_OF_STORE = CompiledRead(
    lambda workspace_id, store_id: (
        BusinessSession.objects.filter(
            workspace_id=workspace_id, store_id=store_id, status=BusinessSession.Status.OPEN
        )
        .annotate(zatca_device=_signs("store_id"))
        .values_list(*SESSION_COLUMNS, "zatca_device")[:1]
    ),
    lock=SHARE,
)


def share_open_session_of_store(*, workspace_id: int, store_id: int) -> BusinessSession | None:
    """The store's open session `FOR SHARE` (a close waits; other tills do not), saying whether the store signs
    its documents (`zatca_device`), in one compiled query; None: the store has none open."""
    return _session_signing(_OPEN_SESSION_OF_STORE.rows(workspace_id=workspace_id, store_id=store_id))


def shared_sessions(read: CompiledRead, **values: object) -> list[BusinessSession]:
    """The sessions of a compiled read `FOR SHARE` (`lock=SHARE`) of `SESSION_COLUMNS` and annotations, each
    annotation an attribute of its session."""
    sessions = []
    for row in read.dicts(**values):
        session = instance(BusinessSession, SESSION_COLUMNS, [row[name] for name in SESSION_COLUMNS])
        for name, value in row.items():
            if name not in session.__dict__:
                setattr(session, name, value)
        sessions.append(session)
    return sessions


# What a write reads with the invoice it locks: its order status and creator (for the answer), its discounts on
# PostgreSQL (`_DiscountRows`), elsewhere whether it has some (`has_discounts`: when not, reading them takes no
# query). Its workspace is the caller's; its store is
# not read (`invoice.store_id`). Both reads are compiled once (`workspaces.statements`).
_RELATED = {"order_status": OrderStatus, "created_by": User, "created_by_api_key": ApiKey}
_INVOICE, _ITEM = attnames(PosInvoice), attnames(PosInvoiceItem)
_COLUMNS = {name: attnames(model) for name, model in _RELATED.items()}


def _invoice_columns(prefix: str) -> list[str]:
    return [
        *(f"{prefix}{name}" for name in _INVOICE),
        *(f"{prefix}{relation}__{name}" for relation, names in _COLUMNS.items() for name in names),
    ]


def _has_discounts(invoice: str) -> Exists:
    return Exists(PosInvoiceDiscount.objects.filter(invoice=OuterRef(invoice)))


_DISCOUNT_FIELDS = PosInvoiceDiscount._meta.concrete_fields


class _DiscountRows(Func):
    """The invoice's discounts read with its lock, in primary-key order: on PostgreSQL an array of rows of texts
    (`PosInvoiceDiscount`'s columns in order, `discounts_from`), elsewhere NULL (then `has_discounts` says
    whether a query must read them). Given the invoice's id as a parameter, not a column, it is read once per
    statement (an InitPlan), not once per item row of the join."""

    output_field = Field()  # the driver's lists as they come

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        return "NULL", []

    def as_postgresql(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        columns = ", ".join(f'd."{field.column}"::text' for field in _DISCOUNT_FIELDS)
        template = (
            f'ARRAY(SELECT ARRAY[{columns}] FROM "{PosInvoiceDiscount._meta.db_table}" d '
            'WHERE d."invoice_id" = %(expressions)s ORDER BY d."id")'
        )
        return Func.as_sql(self, compiler, connection, template=template, **extra_context)


def discounts_from(rows: list[list[str | None]]) -> list[PosInvoiceDiscount]:
    """`_DiscountRows`'s texts as the discounts the ORM would have read (each column converted by its field)."""
    names = [field.attname for field in _DISCOUNT_FIELDS]
    return [
        PosInvoiceDiscount.from_db(
            "default",
            names,
            [field.to_python(value) for field, value in zip(_DISCOUNT_FIELDS, row, strict=True)],
        )
        for row in rows
    ]


_LOCK = 'FOR UPDATE OF "pos_posinvoice"'
SALE_STOCK_SOURCE = "pos_invoice"  # a sale's stock movements (`pos.services.common.STOCK_SOURCE`)
_INVOICE_LOCKED = CompiledRead(
    lambda invoice_id, workspace_id: (
        PosInvoice.objects.filter(pk=invoice_id, workspace_id=workspace_id)
        .annotate(has_discounts=_has_discounts("pk"), discount_rows=_DiscountRows(Value(invoice_id)))
        .values_list(*_invoice_columns(""), "has_discounts", "discount_rows")
    ),
    lock=_LOCK,
)
_INVOICE_LOCKED_WITH_ITEMS = CompiledRead(
    lambda invoice_id, workspace_id: (
        PosInvoiceItem.objects.filter(invoice_id=invoice_id, invoice__workspace_id=workspace_id)
        .annotate(has_discounts=_has_discounts("invoice_id"), discount_rows=_DiscountRows(Value(invoice_id)))
        .values_list(*_ITEM, *_invoice_columns("invoice__"), "has_discounts", "discount_rows")
        .order_by("pk")
    ),
    lock=_LOCK,
)


def _invoice_of(values: tuple, workspace: Workspace | None) -> PosInvoice:
    """The invoice of a row's columns (`_invoice_columns`, then `has_discounts` and `discount_rows`), with its
    order status and creator, its discounts when they were read (`discounts_read`), and its workspace when
    given."""
    invoice = instance(PosInvoice, _INVOICE, values[: len(_INVOICE)])
    at = len(_INVOICE)
    for relation, names in _COLUMNS.items():
        related = instance(_RELATED[relation], names, values[at : at + len(names)])
        at += len(names)
        if related is not None:
            setattr(invoice, relation, related)
    invoice.has_discounts = values[at]
    if values[at + 1] is not None:  # PostgreSQL read them too (`_DiscountRows`)
        invoice.discounts_read = discounts_from(values[at + 1])
    if workspace is not None:
        invoice.workspace = workspace
    return invoice


def lock_invoice(
    invoice_id: int, *, workspace_id: int, workspace: Workspace | None = None
) -> PosInvoice | None:
    """The workspace's invoice alone is locked; its order status and creator are read in the same query but not
    locked, and whether it has discounts. Another workspace's invoice is None."""
    rows = _INVOICE_LOCKED.rows(invoice_id=invoice_id, workspace_id=workspace_id)
    return _invoice_of(rows[0], workspace) if rows else None


def lock_invoice_with_items(
    invoice_id: int, *, workspace_id: int, workspace: Workspace | None = None
) -> tuple[PosInvoice | None, list[PosInvoiceItem]]:
    """`lock_invoice` and the invoice's items (primary-key order) in the same query: one row per item, carrying
    the invoice's columns; only the invoice is locked. An invoice without items is read by `lock_invoice` (a second
    query); another workspace's invoice is None."""
    rows = _INVOICE_LOCKED_WITH_ITEMS.rows(invoice_id=invoice_id, workspace_id=workspace_id)
    if not rows:
        return lock_invoice(invoice_id, workspace_id=workspace_id, workspace=workspace), []
    invoice = _invoice_of(rows[0][len(_ITEM) :], workspace)
    items = []
    for row in rows:
        item = instance(PosInvoiceItem, _ITEM, row[: len(_ITEM)])
        item.invoice = invoice
        items.append(item)
    return invoice, items


def lock_session_drafts(session: BusinessSession) -> list[PosInvoice]:
    return list(
        PosInvoice.objects.select_for_update(of=("self",))
        .filter(session=session, status=PosInvoice.Status.DRAFT)
        .order_by("pk")
    )


# A return (credit note, `pos.services.returns`) reads in one statement the sale's lines, locked with the sale
# (`FOR UPDATE`: concurrent returns of one sale queue, and each sees the lines' `returned_quantity` as the one before
# left it), and the store's open session `FOR SHARE` (a close waits for the return; a return after the close finds
# none). Each line says whether the sale took its product's stock out (`taken_out`).
_OPEN_SESSION = FilteredRelation(
    "invoice__store__business_sessions",
    condition=Q(invoice__store__business_sessions__status=BusinessSession.Status.OPEN),
)
_SESSION_OF_LINE = [f"open_session__{name}" for name in SESSION_COLUMNS]
_SALE_LOCKED = CompiledRead(
    lambda invoice_id, workspace_id: (
        PosInvoiceItem.objects.filter(invoice_id=invoice_id, invoice__workspace_id=workspace_id)
        .annotate(
            open_session=_OPEN_SESSION,
            has_discounts=_has_discounts("invoice_id"),
            taken_out=Exists(
                StockMovement.objects.filter(
                    workspace_id=OuterRef("workspace_id"),
                    store_id=OuterRef("invoice__store_id"),
                    source_type=SALE_STOCK_SOURCE,
                    source_id=OuterRef("invoice_id"),
                    product_id=OuterRef("product_id"),
                    direction=StockMovement.Direction.OUT,
                )
            ),
            zatca_device=_signs("invoice__store_id"),
            discount_rows=_DiscountRows(Value(invoice_id)),
        )
        .filter(open_session__id__isnull=False)
        .values_list(
            *_ITEM,
            *_invoice_columns("invoice__"),
            "has_discounts",
            "discount_rows",
            *_SESSION_OF_LINE,
            "taken_out",
            "zatca_device",
        )
        .order_by("pk")
    ),
    lock=f'{_LOCK}, "pos_posinvoiceitem" FOR SHARE OF open_session',
)


def lock_sale_for_return(
    invoice_id: int, *, workspace_id: int, workspace: Workspace | None = None
) -> tuple[PosInvoice, list[PosInvoiceItem], BusinessSession] | None:
    """The sale, its lines (each with `taken_out`) and its store's open session (with `zatca_device`: whether the
    store signs its documents), locked as above; None when the workspace has no such invoice or its store no open
    session (the caller tells which)."""
    rows = _SALE_LOCKED.rows(invoice_id=invoice_id, workspace_id=workspace_id)
    if not rows:
        return None
    at_invoice, at_session = len(_ITEM), len(_ITEM) + len(_invoice_columns("")) + 2
    invoice = _invoice_of(rows[0][at_invoice:at_session], workspace)
    session = instance(BusinessSession, SESSION_COLUMNS, rows[0][at_session:-2])
    session.zatca_device = rows[0][-1]
    items = []
    for row in rows:
        item = instance(PosInvoiceItem, _ITEM, row[:at_invoice])
        item.invoice = invoice
        item.taken_out = row[-2]
        items.append(item)
    return invoice, items, session
