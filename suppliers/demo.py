"""Supplier demo data: suppliers with invoices in every status, some overdue, in Arabic (idempotent)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from suppliers import services
from suppliers.models import Supplier, SupplierInvoice, SupplierPayment
from workspaces.dates import workspace_today
from workspaces.models import Membership, Store, Workspace
from workspaces.tenancy import Access

SUPPLIERS = [
    ("مؤسسة التوريدات الحديثة — Modern Supplies", "+966500000101", "310122393500101"),
    ("شركة البن العربي — Arabian Coffee Co.", "+966500000102", "310122393500102"),
    ("مخبز الفجر — Al Fajr Bakery", "+966500000103", None),
]
# (supplier index, number, total, days since issue, days until due (None: no due date), paid, description)
INVOICES = [
    (0, "MS-1001", "5000", 75, -45, "0", "أكواب ورقية ومناديل"),
    (0, "MS-1002", "1200.50", 20, 10, "0", "أغطية أكواب"),
    (1, "AC-٢٠٢٤-١", "8400", 40, -10, "3000", "بن عربي محمص — ٢٠ كغ"),
    (1, "AC-٢٠٢٤-٢", "2650.75", 5, 25, "2650.75", "هيل وزعفران"),
    (2, "FB-77", "940", 100, -95, "0", "معجنات الأسبوع"),
    (2, "FB-78", "310", 3, None, "100", "خبز وكرواسون"),
]


def seed_suppliers_demo(*, workspace: Workspace, store: Store) -> None:
    if SupplierInvoice.objects.filter(workspace=workspace).exists():
        return
    owner = Membership.objects.select_related("user").get(workspace=workspace, role=Membership.Role.OWNER)
    access = Access(workspace=workspace, user=owner.user, membership=owner, api_key=None)
    suppliers = []
    for name, phone, tax_number in SUPPLIERS:
        supplier = Supplier.objects.filter(workspace=workspace, name=name).first()
        if supplier is None:
            supplier = services.supplier_create(
                workspace=workspace,
                access=access,
                data={"name": name, "phone": phone, "tax_number": tax_number},
            )
        suppliers.append(supplier)
    today = workspace_today(workspace)
    for index, number, total, age, due_in, paid, description in INVOICES:
        issue_date = today - dt.timedelta(days=age)
        invoice = services.supplier_invoice_create(
            workspace=workspace,
            access=access,
            supplier=suppliers[index],
            invoice_number=number,
            total_amount=Decimal(total),
            issue_date=issue_date,
            due_date=None if due_in is None else today + dt.timedelta(days=due_in),
            description=description,
        )
        if Decimal(paid):
            services.supplier_payment_add(
                workspace=workspace,
                access=access,
                invoice=invoice,
                amount=Decimal(paid),
                method=SupplierPayment.Method.TRANSFER,
            )
