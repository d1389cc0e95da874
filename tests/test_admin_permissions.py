"""The admin enforces what the API enforces (PRODUCT.md section 3): every page, action and custom URL of every
admin registered on `admin.site`, requested as staff with admin access holding each single permission code, as
staff holding none, and as the owner, answers as `tests/admin_permission_matrix.py` says, which reads its codes
from the API views. A refused POST changes nothing; an allowed one does what it says (in a savepoint, rolled back).
"""

from __future__ import annotations

import io
import posixpath
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import models, transaction
from django.test import Client as Browser
from django.urls import reverse
from PIL import Image
from rest_framework_simplejwt.tokens import RefreshToken

from invoicing.models import Invoice, Product, Tax
from invoicing.services import SalesInvoiceLine, sales_invoice_create
from invoicing.zatca.models import ZatcaDevice, ZatcaDocument
from invoicing.zatca.onboarding import zatca_onboard
from orders.models import Order
from pos import services as pos_services
from pos.models import BusinessSession, OrderStatus, PosInvoice, PosReturn
from suppliers.models import InvoiceFile, Supplier, SupplierInvoice
from suppliers.services.images import invoice_image_store
from tests.admin_permission_matrix import ACTIONS, CUSTOM_URLS, NEVER, PAGES, Action, allowed
from tests.browser.backoffice_data import ADDRESS as ZATCA_ADDRESS
from tests.browser.backoffice_data import sign_sample
from tests.conftest import make_staff
from tests.factories import ClientFactory, MembershipFactory, StoreFactory, UserFactory
from tests.invoicing.factories import ProductFactory
from tests.suppliers.conftest import make_invoice
from tests.test_admin_scoping import seeded_workspace
from workspaces import codes
from workspaces.models import ApiKey, Client, Membership, Store, User, Workspace
from workspaces.tenancy import Access

pytestmark = pytest.mark.django_db

STANDARD_VIEWS = ("changelist", "add", "change", "delete", "history")
# Who walks: the owner (None: every code), staff holding nothing, staff holding each single code.
PERSONAS: dict[str, frozenset[str] | None] = {
    "owner": None,
    "no code": frozenset(),
    **{code: codes.expand([code]) for code in codes.PERMISSION_CODES},
}


@dataclass
class World:
    """Workspace "Alpha" with every app's demo data, and the rows the walk opens and acts on."""

    workspace: Workspace
    owner: User
    store: Store
    idle_store: Store  # no day yet: opened by the walk
    session: BusinessSession  # the demo's open day, with `draft` in it
    quiet_session: BusinessSession  # an open day without drafts: closed by the walk
    draft: PosInvoice
    completed: PosInvoice
    pos_return: PosReturn  # the demo's credit note
    tax: Tax
    spare_product: Product
    spare_client: Client
    spare_status: OrderStatus
    spare_supplier: Supplier
    spare_supplier_invoice: SupplierInvoice
    open_order: Order
    api2_draft: Invoice
    api_key: ApiKey
    cashier_membership: Membership
    scan_name: str  # a stored scan's name, as in its URL
    zatca_device: ZatcaDevice  # a store of its own onboarded (sandbox), so the POS walk signs nothing
    zatca_document: ZatcaDocument
    browsers: dict[str, Browser] = field(default_factory=dict)


def stored_scan(workspace: Workspace, access: Access, supplier: Supplier) -> InvoiceFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), (250, 245, 230)).save(buffer, "PNG")
    return invoice_image_store(
        workspace=workspace, access=access, supplier=supplier, upload=buffer, size=buffer.getbuffer().nbytes
    )


def build_world() -> World:
    workspace, owner = seeded_workspace("Alpha")
    store = Store.objects.filter(workspace=workspace).order_by("pk").first()
    access = Access(
        workspace=workspace, user=owner, membership=owner.memberships.get(workspace=workspace), api_key=None
    )
    client = Client.objects.filter(workspace=workspace).order_by("pk").first()
    product = Product.objects.filter(workspace=workspace).order_by("pk").first()
    session = BusinessSession.objects.get(workspace=workspace, store=store, status="open")
    draft = pos_services.invoice_create(workspace=workspace, access=access, client=client, store=store)
    pos_services.invoice_add_item(
        invoice=draft, access=access, product=product, quantity=Decimal(1), unit_price=None, note=""
    )
    pos_services.invoice_set_order_status(invoice=draft, access=access, order_status=None)
    quiet_store = StoreFactory(workspace=workspace, name="Quiet store")
    quiet_session = pos_services.session_open(
        workspace=workspace, access=access, store=quiet_store, opening_cash=Decimal(0), business_date=None
    )
    supplier = Supplier.objects.create(workspace=workspace, name="Spare supplier")
    RefreshToken.for_user(owner)
    RefreshToken.for_user(owner).blacklist()
    workspace.vat_number, workspace.cr_number = "310122393500003", "1010010000"
    workspace.save(update_fields=["vat_number", "cr_number"])
    zatca_store = StoreFactory(workspace=workspace, name="ZATCA store", national_address=ZATCA_ADDRESS)
    zatca_device = zatca_onboard(store=zatca_store, access=access, otp="123345", environment="sandbox")
    completed = PosInvoice.objects.filter(workspace=workspace, status="completed").first()
    world = World(
        workspace=workspace,
        owner=owner,
        store=store,
        idle_store=StoreFactory(workspace=workspace, name="Idle store"),
        session=session,
        quiet_session=quiet_session,
        draft=draft,
        completed=completed,
        pos_return=PosReturn.objects.get(workspace=workspace),
        tax=Tax.objects.filter(workspace=workspace).first(),
        spare_product=ProductFactory(workspace=workspace, name="Spare product"),
        spare_client=ClientFactory(workspace=workspace, name="Spare client"),
        spare_status=OrderStatus.objects.create(workspace=workspace, label_ar="مؤجل", label_en="Held"),
        spare_supplier=supplier,
        spare_supplier_invoice=make_invoice(
            workspace, Supplier.objects.filter(workspace=workspace).order_by("pk").first(), "SPARE-1"
        ),
        open_order=Order.objects.filter(workspace=workspace, status="open", invoices__isnull=True).first(),
        api2_draft=sales_invoice_create(
            workspace=workspace,
            access=access,
            client_id=client.pk,
            store_id=store.pk,
            lines=[SalesInvoiceLine(product_id=product.pk, quantity=Decimal(1), unit_price=Decimal(5))],
            draft=True,
        ),
        api_key=ApiKey.objects.get(workspace=workspace),
        cashier_membership=Membership.objects.get(workspace=workspace, role="staff", admin_access=False),
        scan_name=posixpath.basename(stored_scan(workspace, access, supplier).name),
        zatca_device=zatca_device,
        zatca_document=sign_sample(zatca_store, number="ZATCA-1", source_id=completed.pk),
    )
    for persona, granted in PERSONAS.items():
        user = owner
        if granted is not None:
            user = UserFactory(name=f"Staff {persona}")
            permissions = [] if persona == "no code" else [persona]
            MembershipFactory(
                workspace=workspace, user=user, permissions=permissions, store=store, admin_access=True
            )
        browser = Browser()
        browser.force_login(user)
        world.browsers[persona] = browser
    return world


def url_of(model: type[models.Model], view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def state_of(rows: list[models.Model]) -> list[dict]:
    """The rows as stored (a deleted one is missing)."""
    model = type(rows[0])
    return list(model._default_manager.filter(pk__in=[row.pk for row in rows]).order_by("pk").values())


def expected(code: str | None, granted: frozenset[str] | None) -> int:
    return 200 if allowed(granted, code) else 403


def test_the_matrix_covers_every_registered_admin_and_custom_url():
    assert set(PAGES) == set(admin.site._registry), (
        "declare the new admin in tests/admin_permission_matrix.py"
    )
    custom = {
        pattern.name
        for model, model_admin in admin.site._registry.items()
        for pattern in model_admin.get_urls()
        if pattern.name
        and pattern.name
        not in {f"{model._meta.app_label}_{model._meta.model_name}_{view}" for view in STANDARD_VIEWS}
    }
    assert custom == set(CUSTOM_URLS), "declare the custom URL in tests/admin_permission_matrix.py"


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda model: model._meta.label)
def test_every_page_and_action_allows_exactly_what_the_api_allows(model):
    world = build_world()
    pages = PAGES[model]
    row = pages.row(world)
    failures: list[str] = []

    def check(persona: str, what: str, got: int, want: int) -> None:
        if got != want:
            failures.append(f"{persona}: {what} answered {got}, expected {want}")

    for persona, granted in PERSONAS.items():
        browser = world.browsers[persona]
        read = allowed(granted, pages.read) or allowed(granted, pages.change)
        check(
            persona, "changelist", browser.get(url_of(model, "changelist")).status_code, 200 if read else 403
        )
        check(persona, "add", browser.get(url_of(model, "add")).status_code, expected(pages.add, granted))
        if not allowed(granted, pages.add):
            check(persona, "add POST", browser.post(url_of(model, "add"), {}).status_code, 403)
        if row is None:
            continue
        change = browser.get(url_of(model, "change", row.pk))
        check(persona, "change page", change.status_code, 200 if read else 403)
        if change.status_code == 200 and change.context is not None:
            editable = bool(change.context.get("has_change_permission"))
            if editable != allowed(granted, pages.change):
                failures.append(f"{persona}: change page editable={editable}")
        if not allowed(granted, pages.change):
            before = state_of([row])
            check(persona, "change POST", browser.post(url_of(model, "change", row.pk), {}).status_code, 403)
            assert state_of([row]) == before
        check(
            persona,
            "history",
            browser.get(url_of(model, "history", row.pk)).status_code,
            200 if read else 403,
        )
        delete_url = url_of(model, "delete", row.pk)
        check(persona, "delete page", browser.get(delete_url).status_code, expected(pages.delete, granted))
        if not allowed(granted, pages.delete):
            check(persona, "delete POST", browser.post(delete_url, {"post": "yes"}).status_code, 403)
            assert state_of([row]) != [], f"{persona} deleted {model.__name__} #{row.pk}"
    failures += walk_actions(world, model)
    failures += walk_custom_urls(world, model)
    assert not failures, "\n".join(failures)


def offered_actions(browser: Browser, model: type[models.Model]) -> set[str] | None:
    page = browser.get(url_of(model, "changelist"))
    if page.status_code != 200:
        return None
    form = page.context.get("action_form") if page.context else None
    return {name for name, _label in form.fields["action"].choices if name} if form else set()


def action_of(model: type[models.Model], name: str) -> Action:
    """The declared action (`delete_selected`: the model's delete code, on its page row)."""
    if name == "delete_selected":
        pages = PAGES[model]
        return Action(pages.delete, rows=lambda w: [pages.row(w)], post={"post": "yes"})
    key = (model, name) if (model, name) in ACTIONS else (model, name.rstrip("0123456789"))
    assert key in ACTIONS, f"declare the action {model.__name__}.{name} in tests/admin_permission_matrix.py"
    return ACTIONS[key]


def walk_actions(world: World, model: type[models.Model]) -> list[str]:
    failures = []
    model_admin = admin.site._registry[model]
    offered_to = {persona: offered_actions(world.browsers[persona], model) for persona in PERSONAS}
    names = offered_to["owner"] or set()
    names |= {name for _func, name, _description in model_admin._get_base_actions()}
    for name in sorted(names):
        action = action_of(model, name)
        if name == "delete_selected" and action.code == NEVER:
            continue
        for persona, granted in PERSONAS.items():
            browser = world.browsers[persona]
            offered = offered_to[persona]
            may = allowed(granted, action.code)
            if offered is not None and (name in offered) != may:
                failures.append(f"{persona}: action {name} offered={name in offered}, expected {may}")
            rows = action.rows(world)
            before = state_of(rows)
            body = {"action": name, "_selected_action": [row.pk for row in rows], "index": "0", **action.post}
            with transaction.atomic():
                response = browser.post(url_of(model, "changelist"), body)
                done = action.done(response) if action.done else state_of(rows) != before
                transaction.set_rollback(True)
            if done != may:
                failures.append(
                    f"{persona}: action {name} ran={done}, expected {may} ({response.status_code})"
                )
            assert state_of(rows) == before
    return failures


def walk_custom_urls(world: World, model: type[models.Model]) -> list[str]:
    failures = []
    model_admin = admin.site._registry[model]
    names = {pattern.name for pattern in model_admin.get_urls() if pattern.name in CUSTOM_URLS}
    for name in sorted(names):
        custom = CUSTOM_URLS[name]
        url = reverse(f"admin:{name}", args=custom.args(world))
        for persona, granted in PERSONAS.items():
            browser = world.browsers[persona]
            got = browser.get(url).status_code
            if got != expected(custom.code, granted):
                failures.append(f"{persona}: GET {name} answered {got}")
            if custom.post is None:
                continue
            before = custom.state(world)
            with transaction.atomic():
                response = browser.post(url, custom.post)
                done = custom.state(world) != before
                transaction.set_rollback(True)
            if done != allowed(granted, custom.code):
                failures.append(f"{persona}: POST {name} ran={done} ({response.status_code})")
            if not allowed(granted, custom.code) and response.status_code != 403:
                failures.append(f"{persona}: POST {name} answered {response.status_code}")
    return failures


def test_the_today_panels_show_only_what_the_member_may_read():
    world = build_world()
    for persona, granted in PERSONAS.items():
        page = world.browsers[persona].get(reverse("admin:index"))
        assert page.status_code == 200
        html = page.content.decode()
        assert "Sales so far" in html  # every member reads the days (the API's sessions and reports)
        assert ("Overdue supplier invoices" in html) == allowed(granted, codes.SUPPLIERS_VIEW), persona
        manage = allowed(granted, codes.POS_SESSIONS_MANAGE)
        assert ("/close-day/" in html) == manage, persona
        assert ("/open-day/" in html) == manage, persona


def test_staff_with_only_suppliers_view_see_neither_the_staff_nor_the_api_keys(client, workspace, owner):
    """The review's finding (the workspaces admin's, asserted here too): such staff read the staff and API-key
    lists and revoked the owner's key."""
    api_key = ApiKey.objects.create(workspace=workspace, name="Till", prefix="abcd1234", key_hash="0" * 64)
    client.force_login(make_staff(workspace, codes.SUPPLIERS_VIEW, admin_access=True))

    assert client.get("/admin/workspaces/membership/").status_code == 403
    assert client.get("/admin/workspaces/apikey/").status_code == 403
    client.post(
        "/admin/workspaces/apikey/", {"action": "revoke", "_selected_action": [api_key.pk], "index": "0"}
    )
    api_key.refresh_from_db()
    assert api_key.revoked_at is None
