from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from invoicing.models import StockLevel, StockMovement
from invoicing.services import (
    StockLine,
    stock_adjust,
    stock_deduct_for_document,
    stock_deduct_sold,
    stock_restore_for_document,
)
from tests.factories import StoreFactory
from tests.invoicing.factories import ProductFactory, StockLevelFactory, stock_keeper
from workspaces.errors import ApplicationError, ConflictError, NotFoundError, ValidationFailed
from workspaces.models import Membership
from workspaces.tenancy import Access

pytestmark = pytest.mark.django_db

DOC = {"source_type": "pos_invoice", "source_id": 41}


@pytest.fixture
def actor(workspace, owner):
    return Access(
        workspace=workspace, user=owner, membership=Membership.objects.get(user=owner), api_key=None
    )


@pytest.fixture
def keeper(workspace):
    """Who adjusts stock in these tests: a member holding `catalog.manage`."""
    return stock_keeper(workspace)


def stocked(workspace, store, quantity, **product_fields):
    product = ProductFactory(workspace=workspace, **product_fields)
    StockLevelFactory(workspace=workspace, store=store, product=product, quantity=Decimal(quantity))
    return product


def level(store, product) -> Decimal:
    return StockLevel.objects.get(store=store, product=product).quantity


def ledger_sum(store, product) -> Decimal:
    return StockMovement.objects.filter(store=store, product=product).aggregate(total=Sum("delta"))["total"]


# --- Deduction -----------------------------------------------------------------------------------------------


def test_deduct_writes_one_out_movement_per_product_and_lowers_levels(workspace, store, actor, owner):
    coffee = stocked(workspace, store, 10)
    tea = stocked(workspace, store, 5)
    lines = [
        StockLine(coffee.pk, Decimal("2")),
        StockLine(tea.pk, Decimal("1.5")),
        StockLine(coffee.pk, Decimal("3")),
    ]

    movements = stock_deduct_for_document(workspace=workspace, store=store, lines=lines, actor=actor, **DOC)

    assert [(m.product_id, m.delta, m.direction, m.reason) for m in movements] == [
        (coffee.pk, Decimal(-5), "out", "sale"),
        (tea.pk, Decimal("-1.5"), "out", "sale"),
    ]
    assert all(
        (m.source_type, m.source_id, m.created_by, m.api_key) == ("pos_invoice", 41, owner, None)
        for m in movements
    )
    assert (level(store, coffee), level(store, tea)) == (Decimal(5), Decimal("3.5"))
    assert StockMovement.objects.count() == 2


def test_deduct_creates_a_missing_level(workspace, store):
    workspace.allow_negative_stock = True
    product = ProductFactory(workspace=workspace)

    stock_deduct_for_document(
        workspace=workspace, store=store, lines=[StockLine(product.pk, Decimal(2))], actor=None, **DOC
    )

    assert level(store, product) == Decimal(-2)


def test_deduct_to_exactly_zero_is_allowed(workspace, store):
    product = stocked(workspace, store, "2.5")
    stock_deduct_for_document(
        workspace=workspace, store=store, lines=[StockLine(product.pk, Decimal("2.5"))], actor=None, **DOC
    )
    assert level(store, product) == 0


def test_insufficient_stock_names_every_short_product_and_deducts_nothing(workspace, store):
    short = stocked(workspace, store, 1, name="Arabic coffee")
    enough = stocked(workspace, store, 5, name="Mint tea")
    missing = ProductFactory(workspace=workspace, name="Dates")  # no level yet: 0 available
    lines = [
        StockLine(missing.pk, Decimal(3)),
        StockLine(enough.pk, Decimal(1)),
        StockLine(short.pk, Decimal(2)),
    ]

    with pytest.raises(ApplicationError) as caught:
        stock_deduct_for_document(workspace=workspace, store=store, lines=lines, actor=None, **DOC)

    error = caught.value
    assert (error.status_code, error.code) == (422, "insufficient_stock")
    assert error.message == "Not enough stock of: Dates, Arabic coffee."
    assert error.details == {
        "products": [
            {"product_id": str(missing.pk), "requested": Decimal(3), "available": Decimal(0)},
            {"product_id": str(short.pk), "requested": Decimal(2), "available": Decimal(1)},
        ]
    }
    assert (level(store, short), level(store, enough)) == (Decimal(1), Decimal(5))
    assert not StockMovement.objects.exists()


def test_lines_of_one_product_add_up_before_the_check(workspace, store):
    product = stocked(workspace, store, 3)
    lines = [StockLine(product.pk, Decimal(2)), StockLine(product.pk, Decimal(2))]
    with pytest.raises(ApplicationError) as caught:
        stock_deduct_for_document(workspace=workspace, store=store, lines=lines, actor=None, **DOC)
    assert caught.value.details["products"] == [
        {"product_id": str(product.pk), "requested": Decimal(4), "available": Decimal(3)}
    ]


def test_negative_stock_where_the_workspace_allows_it(workspace, store):
    workspace.allow_negative_stock = True
    workspace.save()
    product = stocked(workspace, store, 1)

    stock_deduct_for_document(
        workspace=workspace, store=store, lines=[StockLine(product.pk, Decimal(4))], actor=None, **DOC
    )

    assert level(store, product) == Decimal(-3)


def test_deducting_the_same_document_twice_is_refused_and_changes_nothing(workspace, store):
    product = stocked(workspace, store, 10)
    lines = [StockLine(product.pk, Decimal(2))]
    stock_deduct_for_document(workspace=workspace, store=store, lines=lines, actor=None, **DOC)

    with pytest.raises(ConflictError) as caught:
        stock_deduct_for_document(workspace=workspace, store=store, lines=lines, actor=None, **DOC)

    assert caught.value.code == "stock_already_deducted"
    assert level(store, product) == 8
    assert StockMovement.objects.count() == 1


def test_the_same_document_from_another_store_is_refused_too(workspace, store):
    product = stocked(workspace, store, 10)
    branch = StoreFactory(workspace=workspace)
    StockLevelFactory(workspace=workspace, store=branch, product=product, quantity=Decimal(10))
    stock_deduct_for_document(
        workspace=workspace, store=store, lines=[StockLine(product.pk, Decimal(2))], actor=None, **DOC
    )

    with pytest.raises(ConflictError):
        stock_deduct_for_document(
            workspace=workspace, store=branch, lines=[StockLine(product.pk, Decimal(2))], actor=None, **DOC
        )
    assert level(branch, product) == 10


def test_other_documents_and_types_are_independent(workspace, store):
    product = stocked(workspace, store, 10)
    lines = [StockLine(product.pk, Decimal(1))]
    stock_deduct_for_document(
        workspace=workspace, store=store, source_type="pos_invoice", source_id=1, lines=lines, actor=None
    )
    stock_deduct_for_document(
        workspace=workspace, store=store, source_type="pos_invoice", source_id=2, lines=lines, actor=None
    )
    stock_deduct_for_document(
        workspace=workspace,
        store=store,
        source_type="api2_invoice",
        source_id=1,
        lines=lines,
        actor=None,
        reason="invoice",
    )
    assert level(store, product) == 7


def test_untracked_products_are_skipped(workspace, store):
    tracked = stocked(workspace, store, 5)
    untracked = ProductFactory(workspace=workspace, track_stock=False)
    lines = [StockLine(untracked.pk, Decimal(100)), StockLine(tracked.pk, Decimal(1))]

    movements = stock_deduct_for_document(workspace=workspace, store=store, lines=lines, actor=None, **DOC)

    assert [m.product_id for m in movements] == [tracked.pk]
    assert not StockLevel.objects.filter(product=untracked).exists()
    assert level(store, tracked) == 4


def test_a_document_of_untracked_products_only_changes_nothing(workspace, store):
    untracked = ProductFactory(workspace=workspace, track_stock=False)
    lines = [StockLine(untracked.pk, Decimal(1))]
    assert stock_deduct_for_document(workspace=workspace, store=store, lines=lines, actor=None, **DOC) == []
    assert not StockLevel.objects.exists()
    assert not StockMovement.objects.exists()


def test_a_product_of_another_workspace_is_not_found(workspace, store, other_workspace):
    mine = stocked(workspace, store, 5)
    theirs = ProductFactory(workspace=other_workspace)
    lines = [StockLine(mine.pk, Decimal(1)), StockLine(theirs.pk, Decimal(1))]

    with pytest.raises(NotFoundError) as caught:
        stock_deduct_for_document(workspace=workspace, store=store, lines=lines, actor=None, **DOC)

    assert caught.value.details == {"product_ids": [str(theirs.pk)]}
    assert level(store, mine) == 5
    assert not StockMovement.objects.exists()


def test_a_store_of_another_workspace_is_not_found(workspace, store, other_workspace):
    product = stocked(workspace, store, 5)
    with pytest.raises(NotFoundError):
        stock_deduct_for_document(
            workspace=workspace,
            store=StoreFactory(workspace=other_workspace),
            lines=[StockLine(product.pk, Decimal(1))],
            actor=None,
            **DOC,
        )


@pytest.mark.parametrize("quantity", [Decimal(0), Decimal(-1), Decimal("0.0001"), Decimal("NaN")])
def test_a_bad_quantity_is_a_validation_error(workspace, store, quantity):
    product = stocked(workspace, store, 5)
    with pytest.raises(ValidationFailed):
        stock_deduct_for_document(
            workspace=workspace, store=store, lines=[StockLine(product.pk, quantity)], actor=None, **DOC
        )
    assert level(store, product) == 5


def test_no_lines_changes_nothing(workspace, store):
    assert stock_deduct_for_document(workspace=workspace, store=store, lines=[], actor=None, **DOC) == []


# --- Restore -------------------------------------------------------------------------------------------------


def test_restore_puts_back_exactly_what_was_taken_once(workspace, store, actor, keeper):
    coffee = stocked(workspace, store, 10)
    tea = stocked(workspace, store, 10)
    lines = [StockLine(tea.pk, Decimal("1.25")), StockLine(coffee.pk, Decimal(3))]
    stock_deduct_for_document(workspace=workspace, store=store, lines=lines, actor=None, **DOC)
    stock_adjust(
        workspace=workspace, store=store, product=coffee, quantity=Decimal(-1), reason="spilt", access=keeper
    )

    movements = stock_restore_for_document(workspace=workspace, store=store, actor=actor, **DOC)

    assert sorted((m.product_id, m.delta, m.direction, m.reason) for m in movements) == sorted(
        [(coffee.pk, Decimal(3), "back", "sale_reversal"), (tea.pk, Decimal("1.25"), "back", "sale_reversal")]
    )
    assert (level(store, coffee), level(store, tea)) == (Decimal(9), Decimal(10))

    assert stock_restore_for_document(workspace=workspace, store=store, actor=actor, **DOC) == []
    assert (level(store, coffee), level(store, tea)) == (Decimal(9), Decimal(10))
    assert StockMovement.objects.filter(direction="back").count() == 2


def test_restore_without_a_deduction_changes_nothing(workspace, store):
    product = stocked(workspace, store, 4)
    assert stock_restore_for_document(workspace=workspace, store=store, actor=None, **DOC) == []
    assert level(store, product) == 4
    assert not StockMovement.objects.exists()


def test_restore_follows_the_ledger_even_if_the_product_is_no_longer_tracked(workspace, store):
    product = stocked(workspace, store, 4)
    stock_deduct_for_document(
        workspace=workspace, store=store, lines=[StockLine(product.pk, Decimal(4))], actor=None, **DOC
    )
    product.track_stock = False
    product.save()

    stock_restore_for_document(workspace=workspace, store=store, actor=None, reason="invoice_reversal", **DOC)

    assert level(store, product) == 4


def test_restore_in_another_store_restores_nothing(workspace, store):
    product = stocked(workspace, store, 4)
    stock_deduct_for_document(
        workspace=workspace, store=store, lines=[StockLine(product.pk, Decimal(1))], actor=None, **DOC
    )
    branch = StoreFactory(workspace=workspace)
    assert stock_restore_for_document(workspace=workspace, store=branch, actor=None, **DOC) == []
    assert level(store, product) == 3


def test_a_restored_document_cannot_be_deducted_again(workspace, store):
    product = stocked(workspace, store, 4)
    lines = [StockLine(product.pk, Decimal(1))]
    stock_deduct_for_document(workspace=workspace, store=store, lines=lines, actor=None, **DOC)
    stock_restore_for_document(workspace=workspace, store=store, actor=None, **DOC)
    with pytest.raises(ConflictError):
        stock_deduct_for_document(workspace=workspace, store=store, lines=lines, actor=None, **DOC)
    assert level(store, product) == 4


def test_unknown_reason_is_a_programming_error(workspace, store):
    with pytest.raises(ValueError, match="reason"):
        stock_restore_for_document(workspace=workspace, store=store, actor=None, reason="oops", **DOC)


# --- Adjust --------------------------------------------------------------------------------------------------


def test_adjust_up_and_down(workspace, store, actor):
    product = ProductFactory(workspace=workspace)
    assert (
        stock_adjust(
            workspace=workspace,
            store=store,
            product=product,
            quantity=Decimal(5),
            reason="delivery",
            access=actor,
        ).quantity
        == 5
    )
    assert (
        stock_adjust(
            workspace=workspace,
            store=store,
            product=product,
            quantity=Decimal(-5),
            reason="count",
            access=actor,
        ).quantity
        == 0
    )
    assert [(m.delta, m.direction, m.reason, m.note) for m in StockMovement.objects.order_by("pk")] == [
        (Decimal(5), "adjust", "adjustment", "delivery"),
        (Decimal(-5), "adjust", "adjustment", "count"),
    ]


def test_adjust_below_zero_is_refused_unless_allowed(workspace, store, keeper):
    product = stocked(workspace, store, 1)
    with pytest.raises(ApplicationError) as caught:
        stock_adjust(
            workspace=workspace, store=store, product=product, quantity=Decimal(-2), reason="x", access=keeper
        )
    assert caught.value.code == "insufficient_stock"
    assert level(store, product) == 1

    workspace.allow_negative_stock = True
    stock_adjust(
        workspace=workspace, store=store, product=product, quantity=Decimal(-2), reason="x", access=keeper
    )
    assert level(store, product) == -1


def test_adding_to_a_negative_level_is_always_allowed(workspace, store, keeper):
    product = stocked(workspace, store, -5)
    stock_adjust(
        workspace=workspace, store=store, product=product, quantity=Decimal(2), reason="x", access=keeper
    )
    assert level(store, product) == -3


@pytest.mark.parametrize(
    ("quantity", "reason"),
    [(Decimal(0), "x"), (Decimal("0.0005"), "x"), (Decimal(10) ** 12, "x"), (Decimal(1), "  ")],
)
def test_adjust_refuses_bad_input(workspace, store, quantity, reason, keeper):
    product = ProductFactory(workspace=workspace)
    with pytest.raises(ValidationFailed):
        stock_adjust(
            workspace=workspace, store=store, product=product, quantity=quantity, reason=reason, access=keeper
        )
    assert not StockMovement.objects.exists()


def test_a_level_too_large_to_store_is_refused(workspace, store, keeper):
    product = stocked(workspace, store, Decimal("999999999999"))
    with pytest.raises(ValidationFailed):
        stock_adjust(
            workspace=workspace, store=store, product=product, quantity=Decimal(1), reason="x", access=keeper
        )


def test_adjust_a_product_of_another_workspace_is_not_found(workspace, store, other_workspace, keeper):
    with pytest.raises(NotFoundError):
        stock_adjust(
            workspace=workspace,
            store=store,
            product=ProductFactory(workspace=other_workspace),
            quantity=Decimal(1),
            reason="x",
            access=keeper,
        )


# --- The ledger ----------------------------------------------------------------------------------------------


def test_a_level_is_the_sum_of_its_movements(workspace, store, keeper):
    workspace.allow_negative_stock = True
    product = ProductFactory(workspace=workspace)
    stock_adjust(
        workspace=workspace, store=store, product=product, quantity=Decimal("7.5"), reason="x", access=keeper
    )
    for source_id in (1, 2, 3):
        lines = [StockLine(product.pk, Decimal(source_id))]
        stock_deduct_for_document(
            workspace=workspace,
            store=store,
            source_type="pos_invoice",
            source_id=source_id,
            lines=lines,
            actor=None,
        )
    stock_restore_for_document(
        workspace=workspace, store=store, source_type="pos_invoice", source_id=2, actor=None
    )
    stock_adjust(
        workspace=workspace,
        store=store,
        product=product,
        quantity=Decimal("-0.25"),
        reason="x",
        access=keeper,
    )

    assert level(store, product) == ledger_sum(store, product) == Decimal("3.25")


def test_the_database_refuses_a_second_out_movement_of_a_document(workspace, store):
    product = stocked(workspace, store, 5)
    stock_deduct_for_document(
        workspace=workspace, store=store, lines=[StockLine(product.pk, Decimal(1))], actor=None, **DOC
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMovement.objects.create(
            workspace=workspace,
            store=store,
            product=product,
            delta=Decimal(-1),
            reason="sale",
            direction="out",
            **DOC,
        )


def test_the_database_refuses_a_movement_of_the_wrong_sign(workspace, store):
    product = ProductFactory(workspace=workspace)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMovement.objects.create(
            workspace=workspace,
            store=store,
            product=product,
            delta=Decimal(1),
            reason="sale",
            direction="out",
            **DOC,
        )


# --- Query counts --------------------------------------------------------------------------------------------


def test_a_first_movement_creates_the_missing_level_at_zero(workspace, store, django_assert_num_queries):
    workspace.allow_negative_stock = True
    product = ProductFactory(workspace=workspace)
    # savepoint, products, lock levels (none), insert the missing level, lock it, movements, levels, release
    with django_assert_num_queries(8):
        stock_deduct_for_document(
            workspace=workspace, store=store, lines=[StockLine(product.pk, Decimal(1))], actor=None, **DOC
        )
    assert StockLevel.objects.get(store=store, product=product).quantity == Decimal(-1)


@pytest.mark.parametrize("products", [1, 5])
def test_deduct_and_restore_query_counts_do_not_grow_with_lines(
    workspace, store, django_assert_num_queries, products
):
    lines = [StockLine(stocked(workspace, store, 10).pk, Decimal(1)) for _ in range(products)]
    # savepoint, products with "already deducted?", lock levels (all exist: nothing inserted), movements, levels,
    # release
    with django_assert_num_queries(6):
        stock_deduct_for_document(workspace=workspace, store=store, lines=lines, actor=None, **DOC)
    # savepoint, "out" movements, lock levels, "already restored?", movements, levels, release
    with django_assert_num_queries(7):
        stock_restore_for_document(workspace=workspace, store=store, actor=None, **DOC)


def test_adjust_query_count(workspace, store, django_assert_num_queries):
    product = stocked(workspace, store, 10)
    access = stock_keeper(workspace)  # the permission check reads the membership already loaded: no query
    # savepoint, lock level (it exists: nothing inserted), movement, level, release
    with django_assert_num_queries(5):
        stock_adjust(
            workspace=workspace,
            store=store,
            product=product,
            quantity=Decimal(1),
            reason="x",
            access=access,
        )


# --- A sale that already happened (offline, section 8d) -------------------------------------------------------


def test_a_sold_deduction_goes_below_zero_and_flags_only_the_short_products(workspace, store, actor):
    plenty, scarce = stocked(workspace, store, "10.5"), stocked(workspace, store, 1)
    never_counted = ProductFactory(workspace=workspace)  # no level in the store yet

    movements = stock_deduct_sold(
        workspace=workspace,
        store=store,
        taken={scarce.pk: Decimal(3), plenty.pk: Decimal("0.25"), never_counted.pk: Decimal(2)},
        actor=actor,
        **DOC,
    )

    assert [(m.product_id, m.delta, m.stock_short) for m in movements] == sorted(
        [
            (plenty.pk, Decimal("-0.25"), False),
            (scarce.pk, Decimal(-3), True),
            (never_counted.pk, Decimal(-2), True),
        ]
    )
    assert (level(store, plenty), level(store, scarce), level(store, never_counted)) == (
        Decimal("10.25"),
        Decimal(-2),
        Decimal(-2),
    )
    # What the ledger took is what the levels lost (the levels here were set without movements).
    assert [ledger_sum(store, p) for p in (plenty, scarce, never_counted)] == [Decimal("-0.25"), -3, -2]


def test_a_sold_deduction_of_the_same_document_twice_is_refused_and_changes_nothing(workspace, store):
    product = stocked(workspace, store, 10)
    stock_deduct_sold(workspace=workspace, store=store, taken={product.pk: Decimal(2)}, actor=None, **DOC)

    with pytest.raises(ConflictError) as caught, transaction.atomic():
        stock_deduct_sold(workspace=workspace, store=store, taken={product.pk: Decimal(2)}, actor=None, **DOC)

    assert caught.value.code == "stock_already_deducted"
    assert level(store, product) == 8
    assert StockMovement.objects.count() == 1
