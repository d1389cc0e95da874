"""Races with real threads and real row locks: PostgreSQL only (skipped on SQLite by tests/conftest.py)."""

import threading
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction

from invoicing.models import Product, StockLevel, StockMovement
from invoicing.numbering import number_next
from invoicing.services import (
    StockLine,
    product_create,
    stock_deduct_for_document,
    stock_restore_for_document,
)
from tests.concurrency import run_together
from tests.factories import StoreFactory, WorkspaceFactory
from tests.invoicing.factories import ProductFactory, StockLevelFactory, stock_keeper
from workspaces.errors import ApplicationError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def errors(results) -> list[object]:
    return [value for kind, value in results if kind != "ok"]


def test_concurrent_numbers_are_distinct_and_consecutive():
    workspace = WorkspaceFactory()  # no counter row yet: the first callers race to create it

    def take(_index):
        with transaction.atomic():
            return number_next(workspace=workspace, series="POS")

    results = run_together(20, take)

    assert errors(results) == []
    assert sorted(value for _kind, value in results) == list(range(1, 21))


def test_a_rolled_back_number_leaves_no_gap_even_for_a_waiting_transaction():
    workspace = WorkspaceFactory()
    with transaction.atomic():
        assert number_next(workspace=workspace, series="POS") == 1
    taken = threading.Event()

    def work(index):
        if index == 0:  # takes 2, holds the lock a moment, then fails
            with pytest.raises(RuntimeError), transaction.atomic():
                number = number_next(workspace=workspace, series="POS")
                taken.set()
                time.sleep(0.3)
                raise RuntimeError(f"document {number} failed")
            return None
        assert taken.wait(timeout=10)
        with transaction.atomic():  # waits on the lock, then gets the number given back
            return number_next(workspace=workspace, series="POS")

    results = run_together(2, work)

    assert errors(results) == []
    assert results[1] == ("ok", 2)
    with transaction.atomic():
        assert number_next(workspace=workspace, series="POS") == 3


def test_concurrent_deductions_never_oversell():
    workspace = WorkspaceFactory()
    store = StoreFactory(workspace=workspace)
    product = ProductFactory(workspace=workspace)
    StockLevelFactory(workspace=workspace, store=store, product=product, quantity=Decimal(5))

    def sell(index):
        lines = [StockLine(product.pk, Decimal(1))]
        stock_deduct_for_document(
            workspace=workspace,
            store=store,
            source_type="pos_invoice",
            source_id=index + 1,
            lines=lines,
            actor=None,
        )
        return "sold"

    results = run_together(10, sell)

    outcomes = Counter(
        value if kind == "ok" else getattr(value, "code", repr(value)) for kind, value in results
    )
    assert outcomes == {"sold": 5, "insufficient_stock": 5}
    assert StockLevel.objects.get().quantity == 0
    assert StockMovement.objects.count() == 5


@pytest.mark.parametrize("levels_exist", [True, False])
def test_opposite_line_orders_do_not_deadlock(levels_exist):
    workspace = WorkspaceFactory(allow_negative_stock=not levels_exist)
    store = StoreFactory(workspace=workspace)
    a = ProductFactory(workspace=workspace)
    b = ProductFactory(workspace=workspace)
    if levels_exist:
        for product in (a, b):
            StockLevelFactory(workspace=workspace, store=store, product=product, quantity=Decimal(100))

    def sell(index):
        lines = [StockLine(a.pk, Decimal(1)), StockLine(b.pk, Decimal(2))]
        if index % 2:
            lines.reverse()
        with transaction.atomic():
            stock_deduct_for_document(
                workspace=workspace,
                store=store,
                source_type="pos_invoice",
                source_id=index + 1,
                lines=lines,
                actor=None,
            )
            time.sleep(0.05)  # hold the locks a moment, as a real completion would

    results = run_together(10, sell)

    assert errors(results) == []
    start = Decimal(100) if levels_exist else Decimal(0)
    assert StockLevel.objects.get(product=a).quantity == start - 10
    assert StockLevel.objects.get(product=b).quantity == start - 20


def test_the_same_document_raced_is_deducted_once_and_restored_once():
    workspace = WorkspaceFactory()
    store = StoreFactory(workspace=workspace)
    product = ProductFactory(workspace=workspace)
    StockLevelFactory(workspace=workspace, store=store, product=product, quantity=Decimal(10))
    document = {
        "workspace": workspace,
        "store": store,
        "source_type": "pos_invoice",
        "source_id": 7,
        "actor": None,
    }

    deductions = run_together(
        6, lambda _i: stock_deduct_for_document(lines=[StockLine(product.pk, Decimal(3))], **document)
    )

    assert sum(kind == "ok" for kind, _value in deductions) == 1
    assert all(
        isinstance(e, ApplicationError) and e.code == "stock_already_deducted" for e in errors(deductions)
    )
    assert StockLevel.objects.get().quantity == 7

    restores = run_together(6, lambda _i: len(stock_restore_for_document(**document)))

    assert errors(restores) == []
    assert sorted(value for _kind, value in restores) == [0, 0, 0, 0, 0, 1]
    assert StockLevel.objects.get().quantity == 10
    assert StockMovement.objects.filter(direction="back").count() == 1


def test_concurrent_creates_of_one_sku_give_one_product_and_sku_taken():
    workspace = WorkspaceFactory()
    access = stock_keeper(workspace)

    def create(index):
        return product_create(
            workspace=workspace,
            access=access,
            data={"name": f"Coffee {index}", "sku": "COF-001", "price": Decimal(5)},
        )

    results = run_together(8, create)

    assert sum(kind == "ok" for kind, _value in results) == 1
    assert [getattr(e, "code", repr(e)) for e in errors(results)] == ["sku_taken"] * 7
    assert Product.objects.filter(workspace=workspace, sku="COF-001").count() == 1
