"""An order's store (PRODUCT.md section 8c: "issued by the order's store"): existing orders get their workspace's
first store, and the admin names it as the API's `storeId` does."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from orders.models import Order
from tests.factories import StoreFactory
from tests.orders.conftest import make_order

pytestmark = pytest.mark.django_db


def test_existing_orders_get_their_workspaces_first_store(
    workspace, owner, store, other_workspace, other_owner
):
    migration = importlib.import_module("orders.migrations.0002_store")
    StoreFactory(workspace=workspace, name="فرع جدة")  # a later store: not the first
    mine = make_order(workspace, owner, [("Tea", "1", "8", "0")])
    other_workspace.stores.all().delete()  # a workspace without a store
    theirs = make_order(other_workspace, other_owner, [("Tea", "1", "8", "0")])
    Order.objects.update(store=None)  # as the rows were before the migration

    migration.first_store(apps, None)

    assert Order.objects.get(pk=mine.pk).store_id == store.pk
    assert Order.objects.get(pk=theirs.pk).store_id is None  # nothing to sign with: left null


def test_an_order_made_in_the_admin_names_its_store(workspace, owner, store, client):
    branch = StoreFactory(workspace=workspace, name="فرع جدة")
    client.force_login(owner)
    form = {
        "client": "",
        "store": branch.pk,
        "line_items-TOTAL_FORMS": "1",
        "line_items-INITIAL_FORMS": "0",
        "line_items-MIN_NUM_FORMS": "0",
        "line_items-MAX_NUM_FORMS": "1000",
        "line_items-0-product": "",
        "line_items-0-name": "Tea",
        "line_items-0-quantity": "1",
        "line_items-0-unit_price": "8",
        "line_items-0-discount": "0",
    }

    response = client.post("/admin/orders/order/add/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Order.objects.get().store == branch
