"""A whole shop's back office, made the way its users make it: through the HTTP APIs (v1 with the owner's token,
seed 003's `/orders` and `/invoices` with its `accessToken`, api2 with an API key). Every admin page then has a row
to show: a POS sale paid in cash with change, a supplier invoice with a payment and a scanned image, an order
invoiced in part, an api2 invoice with a payment, a staff member, a stock count, a tax, a client with a discount, the
store onboarded with ZATCA (sandbox) and the sale signed as its first document."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from invoicing.calculation_types import LineInput
from invoicing.calculations import TaxInput, calculate_document
from invoicing.zatca.chain import Issued, lock_device, sign_next
from invoicing.zatca.documents import TypeCode
from invoicing.zatca.mapping import SourceLine
from invoicing.zatca.models import ZatcaDocument
from pos.models import PosInvoice
from tests.conftest import PASSWORD, client_for
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory, owner_access
from workspaces.models import ApiKey, Membership, Store, User, Workspace
from workspaces.services import api_key_create, tokens_for

OWNER_EMAIL = "sara@example.com"
# The store's Saudi national address, as ZATCA's documents carry it.
ADDRESS = {
    "street": "King Fahd Road",
    "buildingNumber": "1234",
    "district": "Al Olaya",
    "city": "Riyadh",
    "postalCode": "12345",
    "shortAddress": "RRRD2929",
}
STAFF_EMAIL = "omar@example.com"
SUPERUSER_EMAIL = "root@example.com"


@dataclass
class BackOffice:
    workspace: Workspace
    owner: User
    pos_invoice_id: int
    supplier_invoice_id: int
    order_id: int
    api2_invoice_id: int


def _ok(response, status: int = 201) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.json()


def sign_sample(
    store: Store, *, number: str, source_id: int, source_type: str = "pos_invoice", quantity: str = "2"
) -> ZatcaDocument:
    """A document of `quantity` × Arabic coffee at 24.15 (15% VAT) signed into `store`'s onboarded chain, as a
    completing sale signs it (`invoicing.zatca.chain`): pending its report."""
    tax = TaxInput(key="vat", rate=Decimal(15), inclusive=False)
    calculation = calculate_document(
        lines=[LineInput(Decimal(quantity), Decimal("24.15"), taxes=(tax,))], currency="SAR"
    )
    line = SourceLine(name="قهوة عربية", quantity=Decimal(quantity), unit_price=Decimal("24.15"), tax=tax)
    with transaction.atomic():
        device = lock_device(store_id=store.pk)
        assert device is not None, "onboard the store first"
        return sign_next(
            device,
            Issued(
                source_type=source_type,
                source_id=source_id,
                number=number,
                moment=timezone.now(),
                type_code=TypeCode.INVOICE,
                lines=[line],
                calculation=calculation,
            ),
        )


def scan_png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (240, 320), (250, 245, 230)).save(buffer, "PNG")
    return SimpleUploadedFile("scan.png", buffer.getvalue(), content_type="image/png")


def build_back_office() -> BackOffice:
    workspace = WorkspaceFactory(
        name="مقهى الياسمين", currency="SAR", timezone="Asia/Riyadh", suppliers_enabled=True
    )
    owner = UserFactory(name="Sara", email=OWNER_EMAIL)
    UserFactory(name="Huda", email=SUPERUSER_EMAIL, is_superuser=True, is_staff=True)
    MembershipFactory(workspace=workspace, user=owner, role=Membership.Role.OWNER, admin_access=True)
    api = client_for(owner)
    v1 = f"/v1/workspace/{workspace.pk}"

    store = _ok(
        api.post(f"{v1}/stores", {"name": "الفرع الرئيسي", "nationalAddress": ADDRESS}, format="json")
    )
    store_id = store["store"]["id"]
    vat = _ok(api.post(f"{v1}/taxes", {"name": "ضريبة القيمة المضافة", "rate": "15"}, format="json"))
    vat_id = vat["tax"]["id"]
    coffee = _ok(
        api.post(
            f"{v1}/products",
            {"name": "Arabic coffee", "nameAr": "قهوة عربية", "price": "13", "taxIds": [vat_id], "sku": "C1"},
            format="json",
        )
    )["product"]["id"]
    _ok(
        api.post(
            f"{v1}/stores/{store_id}/stock-adjustments",
            {"productId": coffee, "quantity": "45", "reason": "جرد أول المدة"},
            format="json",
        ),
    )
    client_id = _ok(
        api.post(
            f"{v1}/clients",
            {
                "name": "مطعم السلام",
                "taxNumber": "300000000000003",
                "posInvoiceDiscount": {"type": "percent", "value": "5"},
            },
            format="json",
        )
    )["client"]["id"]
    _ok(
        api.post(
            f"{v1}/staff",
            {
                "email": STAFF_EMAIL,
                "name": "Omar",
                "password": PASSWORD,
                "permissions": ["store.orders.manage", "suppliers.view"],
                "storeId": store_id,
                "adminAccess": True,
            },
            format="json",
        )
    )
    _ok(api.post(f"{v1}/api-keys", {"name": "متجر إلكتروني"}, format="json"))

    # POS: the day opened, a sale of 4 coffees paid 100 in cash (change back), an order status.
    _ok(
        api.post(
            f"{v1}/pos/order-statuses",
            {"labelAr": "قيد التحضير", "labelEn": "Preparing", "isDefault": True},
            format="json",
        )
    )
    _ok(api.post(f"{v1}/pos/sessions", {"storeId": store_id, "openingCash": "100"}, format="json"))
    sale = _ok(api.post(f"{v1}/pos/invoices", {"clientId": client_id}, format="json"))["invoice"]["id"]
    line = _ok(
        api.post(f"{v1}/pos/invoices/{sale}/items", {"productId": coffee, "quantity": "4"}, format="json")
    )["invoice"]["items"][0]["id"]
    _ok(
        api.post(
            f"{v1}/pos/invoices/{sale}/complete",
            {"payments": [{"method": "cash", "amount": "100"}]},
            format="json",
        ),
        200,
    )
    # One cup of the four comes back (a credit note, section 8a).
    _ok(
        api.post(
            f"{v1}/pos/invoices/{sale}/returns",
            {"items": [{"itemId": line, "quantity": 1}], "reason": "بارد"},
            format="json",
        )
    )

    # Suppliers: an invoice with its scan and a part payment.
    supplier = _ok(
        api.post(f"{v1}/suppliers", {"name": "مؤسسة البن", "taxNumber": "310000000000003"}, format="json")
    )["supplier"]["id"]
    image_url = _ok(
        api.post(f"{v1}/suppliers/{supplier}/invoice-image", {"file": scan_png()}, format="multipart")
    )["url"]
    supplier_invoice = _ok(
        api.post(
            f"{v1}/suppliers/{supplier}/invoices",
            {
                "invoiceNumber": "INV-002",
                "totalAmount": "5000",
                "issueDate": "2026-10-01",
                "dueDate": "2026-11-01",
                "description": "بن محمص",
                "imageUrl": image_url,
            },
            format="json",
        )
    )["invoice"]["id"]
    _ok(
        api.post(
            f"{v1}/suppliers/{supplier}/invoices/{supplier_invoice}/payments",
            {"amount": "1200.5", "method": "transfer", "reference": "TRX-77"},
            format="json",
        )
    )

    # Orders: an order of two lines with a meta field, invoiced in part.
    orders = APIClient()
    orders.credentials(HTTP_ACCESSTOKEN=tokens_for(user=owner)["access"])
    order = _ok(
        orders.post(
            "/orders",
            {
                "clientId": str(client_id),
                "lineItems": [
                    {
                        "productId": str(coffee),
                        "name": "قهوة عربية",
                        "quantity": 45,
                        "unitPrice": "22.5",
                        "taxIds": [str(vat_id)],
                    },
                    {"name": "Cake", "quantity": 4, "unitPrice": "12", "discount": "2"},
                ],
                "metaFields": [{"key": "event", "value": "عرس"}],
            },
            format="json",
        )
    )["data"]
    _ok(
        orders.post(
            "/invoices",
            {
                "orderId": order["id"],
                "lineItems": [{"lineItemId": order["lineItems"][0]["id"], "quantity": 20}],
            },
            format="json",
        )
    )

    # api2: an invoice of the integration with a payment.
    _key, raw = api_key_create(workspace=workspace, access=owner_access(workspace), name="WooCommerce")
    assert ApiKey.objects.filter(workspace=workspace).count() == 2
    api2 = APIClient()
    api2.credentials(HTTP_APIKEY=raw)
    api2_invoice = _ok(
        api2.post(
            "/api2/invoices.json",
            {
                "Invoice": {
                    "client_id": client_id,
                    "store_id": store_id,
                    "date": "2026-11-20",
                    "draft": 0,
                    "notes": "طلب المتجر الإلكتروني",
                    "InvoiceItem": [
                        {"product_id": coffee, "quantity": 2, "unit_price": "22.8", "tax1": vat_id}
                    ],
                    "Payment": [{"payment_method": "card", "amount": "20", "date": "2026-11-20"}],
                }
            },
            format="json",
        ),
        202,
    )
    # ZATCA (section 8b), last, so that nothing above is signed by the POS itself: the seller's numbers, the store
    # onboarded in sandbox, and the sale signed into its chain (a document pending its report).
    _ok(api.patch(v1, {"vatNumber": "310122393500003", "crNumber": "1010010000"}, format="json"), 200)
    _ok(
        api.post(
            f"{v1}/stores/{store_id}/zatca/onboard",
            {"otp": "123345", "environment": "sandbox"},
            format="json",
        ),
        200,
    )
    if not ZatcaDocument.objects.filter(source_type="pos_invoice", source_id=int(sale)).exists():
        sign_sample(
            Store.objects.get(pk=store_id),
            number=PosInvoice.objects.get(pk=sale).public_id,
            source_id=int(sale),
        )
    return BackOffice(
        workspace=workspace,
        owner=owner,
        pos_invoice_id=int(sale),
        supplier_invoice_id=int(supplier_invoice),
        order_id=int(order["id"]),
        api2_invoice_id=int(api2_invoice["id"]),
    )
