"""Orders demo data: orders from the order platform, one fully invoiced, one partly, one open, one cancelled.

Idempotent: a workspace that already has orders is left as it is. Writes go through the services, as the API's do.
"""

from __future__ import annotations

from decimal import Decimal

from invoicing.models import Product
from orders import services
from orders.models import Order, OrderLineItem
from workspaces.models import Client, Membership, Store, Workspace
from workspaces.tenancy import Access


def seed_orders_demo(*, workspace: Workspace, store: Store) -> None:
    if Order.objects.filter(workspace=workspace).exists():
        return
    products = list(Product.objects.filter(workspace=workspace).order_by("pk")[:4])
    if not products:
        return
    owner = Membership.objects.select_related("user").get(workspace=workspace, role=Membership.Role.OWNER)
    access = Access(workspace=workspace, user=owner.user, membership=owner, api_key=None)
    client = Client.objects.filter(workspace=workspace).order_by("pk").first()

    def order(quantities: list[int], discount: Decimal = Decimal(0)) -> Order:
        return services.order_create(
            workspace=workspace,
            access=access,
            client_id=client.pk if client else None,
            store_id=store.pk,  # the demo's store issues (and, once onboarded, signs) the invoices
            lines=[
                services.OrderLineRequest(
                    name=product.name_ar or product.name,
                    quantity=Decimal(quantity),
                    unit_price=product.price,
                    discount=discount if index == 0 else Decimal(0),
                    product_id=product.pk,
                )
                for index, (product, quantity) in enumerate(zip(products, quantities, strict=False))
            ],
            meta_fields=[{"key": "channel", "value": "web"}],
        )

    def invoice(target: Order, lines: list[services.InvoiceLineRequest] | None = None) -> None:
        services.order_invoice_create(
            workspace=workspace, access=access, order_id=target.pk, lines=lines, meta_fields=[]
        )

    invoice(order([10, 6, 4], discount=Decimal(5)))  # fully invoiced
    partly = order([20, 12, 8, 2], discount=Decimal(10))
    first_line = OrderLineItem.objects.filter(order=partly).order_by("pk").first()
    invoice(partly, [services.InvoiceLineRequest(line_item_id=first_line.pk, quantity=Decimal(8))])
    order([5, 5])  # open, nothing invoiced yet
    cancelled = order([3])
    services.order_cancel(workspace=workspace, access=access, order_id=cancelled.pk)
