"""Browser tests: Debian's Chromium driven by Playwright (it cannot download its own browser here) against
pytest-django's live server. They skip, saying why, where /usr/bin/chromium is missing (`.ci/run` installs it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PASSWORD = "correct-horse-42"

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium fonts-noto-core): "
    "the browser tests need it",
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, _orm_beside_playwright):
    """pytest-playwright's browser, launched from Debian's Chromium."""
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}, "locale": "en-US"}


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API runs an event loop in the test's thread (from the session's browser on); the tests'
    own ORM calls (their data, the live server's database set-up) are still synchronous code, which Django would
    refuse beside a running loop. Set for the browser tests' session only, before the browser starts."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@dataclass
class Shop:
    owner_email: str
    session_id: int
    closed_session_id: int
    invoice_id: int
    draft_public_id: str


@pytest.fixture
def shop(transactional_db) -> Shop:
    """A café in Riyadh (SAR): yesterday's day closed, today's open with one sale of 3 × Arabic coffee at 24.15
    (72.45 SAR, paid 100 in cash) and one draft."""
    from invoicing.services import stock_adjust
    from pos import services
    from tests.factories import ClientFactory, MembershipFactory, StoreFactory, UserFactory, WorkspaceFactory
    from tests.invoicing.factories import ProductFactory
    from workspaces.models import Membership
    from workspaces.tenancy import Access

    workspace = WorkspaceFactory(name="مقهى الياسمين", currency="SAR", timezone="Asia/Riyadh")
    store = StoreFactory(workspace=workspace, name="الفرع الرئيسي")
    owner = UserFactory(name="Sara", email="sara@example.com")
    membership = MembershipFactory(
        workspace=workspace, user=owner, role=Membership.Role.OWNER, admin_access=True
    )
    access = Access(workspace=workspace, user=owner, membership=membership, api_key=None)
    coffee = ProductFactory(
        workspace=workspace, name="Arabic coffee", name_ar="قهوة عربية", price=Decimal("24.15")
    )
    stock_adjust(
        workspace=workspace, store=store, product=coffee, quantity=Decimal(50), reason="count", access=access
    )
    client = ClientFactory(workspace=workspace, name="عميل نقدي")

    yesterday = services.session_open(
        workspace=workspace,
        access=access,
        store=store,
        opening_cash=Decimal("50"),
        business_date=dt.date.today() - dt.timedelta(days=1),
    )
    closed = services.session_close(
        session=yesterday, access=access, closing_cash=Decimal("50"), cancel_drafts=False
    )
    session = services.session_open(
        workspace=workspace, access=access, store=store, opening_cash=Decimal("100"), business_date=None
    )
    invoice = services.invoice_create(workspace=workspace, access=access, client=client, store=store)
    services.invoice_add_item(
        invoice=invoice, access=access, product=coffee, quantity=Decimal(3), unit_price=None, note=""
    )
    services.invoice_complete(
        invoice=invoice, access=access, payments=[services.PaymentInput(method="cash", amount=Decimal(100))]
    )
    draft = services.invoice_create(workspace=workspace, access=access, client=client, store=store)
    services.invoice_add_item(
        invoice=draft, access=access, product=coffee, quantity=Decimal(1), unit_price=None, note=""
    )
    return Shop(owner.email, session.pk, closed.pk, invoice.pk, draft.public_id)


def console_errors(page) -> list[str]:
    """The page's console errors and uncaught exceptions, collected from now on."""
    errors: list[str] = []

    def console(message) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def log_in(page, live_server, email: str, language: str | None = None):
    """Signs `email` in through the admin's login form, in `language` (the `django_language` cookie) when given."""
    if language is not None:
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


def signed_in(page, live_server, email: str):
    """`open(language)` signs `email` in and gives the page; `open.errors` collects the console's errors."""
    errors = console_errors(page)

    def open_as(language: str):
        return log_in(page, live_server, email, language)

    open_as.errors = errors
    return open_as
