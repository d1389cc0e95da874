"""`workspaces.statements.CompiledRead`: the ORM's SQL compiled once, run with each call's values, the rows
converted as Django converts them (Decimals, datetimes and booleans on SQLite too); `insert`: the row the ORM's save
writes."""

from decimal import Decimal

import pytest
from django.db.models import Exists, OuterRef, signals
from django.db.models.sql.compiler import SQLCompiler

from invoicing.models import Product
from tests.factories import ClientFactory, WorkspaceFactory
from tests.invoicing.factories import ProductFactory
from workspaces.models import Client, IdempotencyRecord
from workspaces.statements import CompiledRead, insert

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


def _saved_by_the_orm(model, **values):
    row = model(**values)
    row.save(force_insert=True)
    return row


def test_insert_writes_the_row_the_orm_would(django_assert_num_queries):
    """`insert`: one INSERT written once per model, the values as the ORM's save sends them (JSON, bytes,
    `auto_now_add`), the key back on the instance."""
    workspace = WorkspaceFactory()
    values = {
        "principal": "user:1",
        "method": "POST",
        "path": "/v1/x",
        "fingerprint": "f" * 64,
        "status_code": 201,
        "content_type": "application/json",
        "body": b'{"a":"\\u0000"}\x00\xff',
    }
    with django_assert_num_queries(1):
        ours = insert(IdempotencyRecord(key="ours", **values))
    theirs = _saved_by_the_orm(IdempotencyRecord, key="theirs", **values)
    assert ours.pk is not None and not ours._state.adding and ours.created_at is not None
    columns = [f.attname for f in IdempotencyRecord._meta.concrete_fields if f.attname not in ("id", "key")]
    read = IdempotencyRecord.objects.values(*columns)
    mine, orm = read.get(pk=ours.pk), read.get(pk=theirs.pk)
    assert mine.pop("created_at") == ours.created_at and orm.pop("created_at") == theirs.created_at
    assert {**mine, "body": bytes(mine["body"])} == {**orm, "body": bytes(orm["body"])}

    client = insert(Client(workspace=workspace, name="«قهوة»", address={"city": "جدة", "n": [1, None]}))
    assert Client.objects.values_list("name", "address").get(pk=client.pk) == (
        "«قهوة»",
        {"city": "جدة", "n": [1, None]},
    )


def test_insert_leaves_to_the_orm_a_model_a_receiver_watches():
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.name)

    signals.pre_save.connect(receiver, sender=Client)
    try:
        insert(Client(workspace=WorkspaceFactory(), name="watched"))
    finally:
        signals.pre_save.disconnect(receiver, sender=Client)
    assert seen == ["watched"]
