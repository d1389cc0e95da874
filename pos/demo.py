"""POS demo data: order statuses, an open day, a few completed and draft invoices, and a return of part of a
sale (idempotent)."""

from __future__ import annotations

from decimal import Decimal

from invoicing.models import Product
from pos import services
from pos.models import BusinessSession, OrderStatus, PosInvoice
from workspaces.models import Client, Membership, Store, Workspace
from workspaces.tenancy import Access

STATUSES = [
    ("قيد التحضير", "Preparing", "#f59e0b", True),
    ("جاهز", "Ready", "#10b981", False),
    ("تم التسليم", "Delivered", "#6b7280", False),
]


def seed_pos_demo(*, workspace: Workspace, store: Store) -> None:
    owner = Membership.objects.select_related("user").get(workspace=workspace, role=Membership.Role.OWNER)
    access = Access(workspace=workspace, user=owner.user, membership=owner, api_key=None)
    for position, (label_ar, label_en, color, is_default) in enumerate(STATUSES):
        if not OrderStatus.objects.filter(workspace=workspace, label_ar=label_ar).exists():
            services.order_status_save(
                workspace=workspace,
                access=access,
                status=None,
                data={
                    "label_ar": label_ar,
                    "label_en": label_en,
                    "color": color,
                    "position": position,
                    "is_default": is_default,
                },
            )
    session = BusinessSession.objects.filter(
        workspace=workspace, store=store, status=BusinessSession.Status.OPEN
    ).first()
    if session is None:
        session = services.session_open(
            workspace=workspace, access=access, store=store, opening_cash=Decimal("200"), business_date=None
        )
    if PosInvoice.objects.filter(session=session).exists():
        return
    products = list(Product.objects.filter(workspace=workspace).order_by("pk")[:3])
    clients = list(Client.objects.filter(workspace=workspace).order_by("pk"))
    if not products or not clients:
        return
    for index, client in enumerate(clients):
        invoice = services.invoice_create(workspace=workspace, access=access, client=client, store=store)
        for quantity, product in enumerate(products[: index + 1], start=1):
            services.invoice_add_item(
                invoice=invoice,
                access=access,
                product=product,
                quantity=Decimal(quantity),
                unit_price=None,
                note="",
            )
        if index < 2:  # two completed sales; the last stays a draft
            invoice = services.invoice_complete(invoice=invoice, access=access, payments=None)
        if index == min(1, len(clients) - 1):  # one of the last completed sale's last line comes back (8a)
            line = list(invoice.items.all())[-1]
            services.return_create(
                invoice=invoice,
                access=access,
                reason="تالف",
                items=[services.ReturnLineInput(item_id=line.pk, quantity=Decimal(1))],
            )
