"""Onboarding a store's device (PRODUCT.md section 8b) in `sandbox`: nothing leaves the machine."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from invoicing.zatca.chain import decrypt
from invoicing.zatca.csr import load_csr, load_private_key
from invoicing.zatca.hashing import FIRST_PREVIOUS_HASH
from invoicing.zatca.models import ZatcaDevice
from invoicing.zatca.onboarding import zatca_onboard
from tests.invoicing.zatca.sellers import ADDRESS, make_seller
from tests.pos.conftest import owner_access
from workspaces.errors import ApplicationError, ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(workspace, store):
    return make_seller(workspace, store)


def test_a_sandbox_store_is_onboarded_offline(seller, workspace, owner):
    device = zatca_onboard(
        store=seller,
        access=owner_access(workspace, owner),
        otp="123345",
        environment="sandbox",
        invoice_type="1100",
    )

    device.refresh_from_db()
    assert (device.status, device.environment, device.invoice_type) == ("active", "sandbox", "1100")
    assert (device.icv, device.previous_hash) == (0, FIRST_PREVIOUS_HASH)
    # The key is stored encrypted and is the CSR's; the certificate copies the CSR's subject.
    assert "PRIVATE KEY" not in device.private_key
    key = load_private_key(decrypt(device.private_key).encode())
    csr = load_csr(device.csr)
    certificate = x509.load_pem_x509_certificate(device.certificate.encode())
    assert csr.public_key().public_numbers() == key.public_key().public_numbers()
    assert certificate.public_key().public_numbers() == key.public_key().public_numbers()
    assert certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "شركة القهوة"
    assert "secret" not in device.production_secret and decrypt(device.production_secret)


def test_refusals(seller, workspace, owner, store, staff):
    access = owner_access(workspace, owner)
    with pytest.raises(ValidationFailed) as bad:
        zatca_onboard(store=seller, access=access, otp="12", environment="moon", invoice_type="0001")
    assert set(bad.value.errors) == {"otp", "environment", "invoice_type"}
    store.national_address = {**ADDRESS, "postalCode": "123"}
    store.save()
    with pytest.raises(ApplicationError) as incomplete:
        zatca_onboard(store=store, access=access, otp="123345", environment="sandbox")
    assert incomplete.value.code == "zatca_seller_incomplete"
    assert incomplete.value.details == {"missing": ["store.nationalAddress.postalCode"]}
    assert not ZatcaDevice.objects.exists()
