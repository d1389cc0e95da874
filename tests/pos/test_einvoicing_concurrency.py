"""Concurrent completions in one signing store, on PostgreSQL with real threads: one chain, no gap, no fork."""

from __future__ import annotations

import pytest

from invoicing.zatca.hashing import FIRST_PREVIOUS_HASH
from invoicing.zatca.models import ZatcaDocument
from tests.concurrency import run_together, values_of
from tests.conftest import client_for
from tests.pos.conftest import stocked_product
from tests.pos.test_einvoicing import onboarded  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_completions_chain_without_a_gap_or_a_fork(
    onboarded,  # noqa: F811
    cashier,
    invoices_url,
    customer,
    workspace,
    store,
    vat,
    session,
):
    # Given: eight drafts of one store, each with its own product (no stock row in common)
    api = client_for(cashier)
    urls = []
    for index in range(8):
        product = stocked_product(workspace, store, price="10", taxes=[vat], name=f"P{index}")
        invoice = api.post(invoices_url, {"clientId": customer.pk}, format="json").json()["invoice"]
        url = f"{invoices_url}/{invoice['id']}"
        api.post(f"{url}/items", {"productId": product.pk, "quantity": 1}, format="json")
        urls.append(url)

    # When: eight tills complete them at the same moment
    statuses = values_of(
        run_together(
            8, lambda i: client_for(cashier).post(f"{urls[i]}/complete", {}, format="json").status_code
        )
    )

    # Then: eight documents, ICV 1..8, every PIH the hash of the document with ICV - 1
    assert statuses == [200] * 8
    chain = list(ZatcaDocument.objects.order_by("icv").values_list("icv", "previous_hash", "hash"))
    assert [icv for icv, _pih, _hash in chain] == list(range(1, 9))
    assert [pih for _icv, pih, _hash in chain] == [FIRST_PREVIOUS_HASH] + [h for _i, _p, h in chain[:-1]]
    onboarded.refresh_from_db()
    assert (onboarded.icv, onboarded.previous_hash) == (8, chain[-1][2])
