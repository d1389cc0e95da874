"""The demo workspace: idempotent, with Arabic and English names."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from workspaces import codes
from workspaces.models import Client, Membership, Store, User, Workspace

DEMO_PASSWORD = "demo-pass-2026"
OWNER_EMAIL = "owner@demo.example"
CASHIER_EMAIL = "cashier@demo.example"
ACCOUNTANT_EMAIL = "accountant@demo.example"


def _user(email: str, name: str, *, is_staff: bool) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name, is_staff=is_staff)
    return user


@transaction.atomic
def seed_workspace_demo() -> tuple[Workspace, Store, list[tuple[str, str]]]:
    owner = _user(OWNER_EMAIL, "سارة العتيبي (Sara)", is_staff=True)
    membership = (
        Membership.objects.filter(user=owner, role=Membership.Role.OWNER).select_related("workspace").first()
    )
    if membership is None:
        workspace = Workspace.objects.create(
            name="مقهى الياسمين — Jasmine Café",
            legal_name="شركة الياسمين للتجارة",
            vat_number="310122393500003",
            currency="SAR",
            timezone="Asia/Riyadh",
        )
        store = Store.objects.create(
            workspace=workspace, name="الفرع الرئيسي — Main branch", code="MAIN", address="الرياض، حي العليا"
        )
        Membership.objects.create(
            workspace=workspace, user=owner, role=Membership.Role.OWNER, admin_access=True
        )
    else:
        workspace = membership.workspace
        store = Store.objects.filter(workspace=workspace).order_by("pk").first()

    staff = [
        (CASHIER_EMAIL, "خالد (Khalid, cashier)", [codes.STORE_ORDERS_MANAGE, codes.CLIENTS_MANAGE]),
        (ACCOUNTANT_EMAIL, "منى (Mona, accountant)", [codes.SUPPLIERS_MANAGE, codes.INVOICES_MANAGE]),
    ]
    for email, name, permissions in staff:
        user = _user(email, name, is_staff=True)
        Membership.objects.get_or_create(
            workspace=workspace,
            user=user,
            defaults={
                "role": Membership.Role.STAFF,
                "permissions": permissions,
                "store": store,
                "admin_access": True,
            },
        )

    clients = [
        ("عميل نقدي — Walk-in customer", None),
        ("مطعم النخيل — Palm Restaurant", ("percent", Decimal("10"))),
        ("شركة الريان — Al Rayan Co.", ("fixed", Decimal("5.00"))),
    ]
    for name, discount in clients:
        defaults = {}
        if discount:
            defaults = {
                "pos_discount_type": discount[0],
                "pos_discount_value": discount[1],
                "pos_discount_active": True,
            }
        Client.objects.get_or_create(workspace=workspace, name=name, defaults=defaults)

    logins = [(OWNER_EMAIL, "owner"), (CASHIER_EMAIL, "cashier"), (ACCOUNTANT_EMAIL, "accountant")]
    return workspace, store, logins
