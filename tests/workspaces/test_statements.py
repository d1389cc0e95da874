"""`workspaces.statements.CompiledRead`: the ORM's SQL compiled once, run with each call's values, the rows
converted as Django converts them (Decimals, datetimes and booleans on SQLite too)."""

from decimal import Decimal

import pytest
from django.db.models import Exists, OuterRef
from django.db.models.sql.compiler import SQLCompiler

from invoicing.models import Product
from tests.factories import ClientFactory, WorkspaceFactory
from tests.invoicing.factories import ProductFactory
from workspaces.models import Client
from workspaces.statements import CompiledRead

pytestmark = pytest.mark.django_db


def _products(workspace_id, sku):
    return (
        Product.objects.filter(workspace_id=workspace_id, sku=sku)
        .annotate(has_clients=Exists(Client.objects.filter(workspace_id=OuterRef("workspace_id"))))
        .values_list("id", "price", "track_stock", "created_at", "has_clients")
        .order_by("id")
    )


def test_each_call_reads_its_own_values_as_the_queryset_would():
    read = CompiledRead(_products)
    first, second = WorkspaceFactory(), WorkspaceFactory()
    ClientFactory(workspace=first)
    ProductFactory(workspace=first, sku="A-1", price=Decimal("12.5000"), track_stock=True)
    ProductFactory(workspace=second, sku="A-1", price=Decimal("3.0000"), track_stock=False)

    for workspace in (first, second):
        rows = read.rows(workspace_id=workspace.pk, sku="A-1")
        assert rows == list(_products(workspace.pk, "A-1"))
        price, track_stock, created_at, has_clients = rows[0][1:]
        assert isinstance(price, Decimal) and isinstance(track_stock, bool) and created_at.tzinfo is not None
        assert has_clients is (workspace == first)
    assert read.rows(workspace_id=first.pk, sku="nothing") == []
    assert read.dicts(workspace_id=second.pk, sku="A-1")[0]["price"] == Decimal("3.0000")


def test_the_sql_is_compiled_once(monkeypatch):
    read = CompiledRead(_products)
    workspace = WorkspaceFactory()
    read.rows(workspace_id=workspace.pk, sku="x")
    compiled = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or original(self, *a, **k)
    )
    for sku in ("y", "z"):
        read.rows(workspace_id=workspace.pk, sku=sku)
    assert compiled == []


def test_a_parameter_that_does_not_reach_the_sql_is_refused():
    read = CompiledRead(
        lambda workspace_id, sku: Product.objects.filter(workspace_id=workspace_id).values_list("id")
    )
    with pytest.raises(ValueError, match="one value"):
        read.rows(workspace_id=1, sku="x")
