"""A seller ZATCA accepts, for every test that onboards a store: the workspace's VAT and CR numbers and legal name,
the store's national address, and a sandbox device (offline, the built-in test CA)."""

from __future__ import annotations

from invoicing.zatca.models import ZatcaDevice
from invoicing.zatca.onboarding import zatca_onboard
from tests.factories import owner_access
from workspaces.models import Store, Workspace

ADDRESS = {
    "street": "King Fahd Road",
    "buildingNumber": "1234",
    "district": "Al Olaya",
    "city": "Riyadh",
    "postalCode": "12345",
    "shortAddress": "RRRD2929",
}
VAT_NUMBER, CR_NUMBER, LEGAL_NAME = "310122393500003", "1010010000", "شركة القهوة"


def make_seller(workspace: Workspace, store: Store) -> Store:
    """The workspace's VAT and CR numbers and legal name and the store's national address: what ZATCA needs."""
    workspace.vat_number, workspace.cr_number, workspace.legal_name = VAT_NUMBER, CR_NUMBER, LEGAL_NAME
    workspace.save()
    store.national_address = ADDRESS
    store.save()
    return store


def sandbox_device(workspace: Workspace, store: Store, invoice_type: str = "1100") -> ZatcaDevice:
    """`make_seller`, then the store onboarded in the sandbox by the workspace's owner."""
    make_seller(workspace, store)
    return zatca_onboard(
        store=store,
        access=owner_access(workspace),
        otp="123345",
        environment="sandbox",
        invoice_type=invoice_type,
    )
