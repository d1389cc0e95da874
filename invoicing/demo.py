"""The catalogue of the demo workspace (`make run`): a 15 % VAT and a café's products with Arabic names.

Idempotent: run it again and nothing changes (taxes are found by name, products by SKU, and opening stock is
added only where a product has no level in the store yet). Writes go through the services, as the API's do.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from invoicing import services
from invoicing.models import Product, StockLevel, Tax
from workspaces.models import Membership, Store, Workspace
from workspaces.tenancy import Access

VAT_NAME = "VAT 15%"
OPENING_STOCK = Decimal(50)

# (sku, barcode, English name, Arabic name, price)
DEMO_PRODUCTS: tuple[tuple[str, str, str, str, Decimal], ...] = (
    ("COF-001", "6281000000011", "Arabic coffee", "قهوة عربية", Decimal("12.00")),
    ("COF-002", "6281000000028", "Cappuccino", "كابتشينو", Decimal("16.00")),
    ("TEA-001", "6281000000035", "Mint tea", "شاي بالنعناع", Decimal("8.00")),
    ("BAK-001", "6281000000042", "Za'atar croissant", "كرواسون بالزعتر", Decimal("9.50")),
    ("DAT-001", "6281000000059", "Sukkari dates 250 g", "تمر سكري ٢٥٠ غ", Decimal("22.00")),
    ("WAT-001", "6281000000066", "Mineral water 330 ml", "مياه معدنية ٣٣٠ مل", Decimal("2.00")),
)


@transaction.atomic
def seed_invoicing_demo(*, workspace: Workspace, store: Store) -> None:
    owner = Membership.objects.select_related("user").get(workspace=workspace, role=Membership.Role.OWNER)
    access = Access(workspace=workspace, user=owner.user, membership=owner, api_key=None)
    tax = Tax.objects.filter(workspace=workspace, name=VAT_NAME).first()
    if tax is None:
        tax = services.tax_create(
            workspace=workspace,
            access=access,
            data={"name": VAT_NAME, "rate": Decimal(15), "inclusive": False},
        )

    for sku, barcode, name, name_ar, price in DEMO_PRODUCTS:
        product = Product.objects.filter(workspace=workspace, sku=sku).first()
        if product is None:
            product = services.product_create(
                workspace=workspace,
                access=access,
                data={
                    "name": name,
                    "name_ar": name_ar,
                    "sku": sku,
                    "barcode": barcode,
                    "price": price,
                    "tax_ids": [tax.pk],
                    "track_stock": True,
                },
            )
        if not StockLevel.objects.filter(workspace=workspace, store=store, product=product).exists():
            services.stock_adjust(
                workspace=workspace,
                store=store,
                product=product,
                quantity=OPENING_STOCK,
                reason="Opening stock",
                access=access,
            )
