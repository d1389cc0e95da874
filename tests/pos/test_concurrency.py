"""Several terminals at once, on PostgreSQL with real threads."""

from decimal import Decimal

import pytest

from pos.models import PosInvoice
from tests.concurrency import run_together as shared_run_together
from tests.concurrency import values_of
from tests.conftest import client_for
from tests.pos.conftest import stock_of, stocked_product

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(count, work):
    return values_of(shared_run_together(count, work))


def test_concurrent_creates_get_distinct_consecutive_numbers(cashier, invoices_url, session, customer):
    def create(_index):
        response = client_for(cashier).post(invoices_url, {"clientId": customer.pk}, format="json")
        return response.status_code, response.json()["invoice"]["publicId"]

    results = run_together(12, create)
    assert {status for status, _ in results} == {201}
    assert sorted(public_id for _, public_id in results) == [f"POS-{n:03d}" for n in range(1, 13)]
    assert PosInvoice.objects.count() == 12


def test_concurrent_completions_never_drive_stock_negative(
    cashier, invoices_url, session, customer, workspace, store
):
    last_units = stocked_product(workspace, store, quantity="3", name="آخر قطع")
    api = client_for(cashier)
    urls = []
    for _ in range(8):
        url = f"{invoices_url}/{api.post(invoices_url, {'clientId': customer.pk}, format='json').json()['invoice']['id']}"
        api.post(f"{url}/items", {"productId": last_units.pk, "quantity": 1}, format="json")
        urls.append(url)

    def complete(index):
        response = client_for(cashier).post(f"{urls[index]}/complete", {}, format="json")
        return response.status_code, response.json().get("code")

    results = run_together(8, complete)
    assert sorted(status for status, _ in results) == [200] * 3 + [422] * 5
    assert {code for status, code in results if status == 422} == {"insufficient_stock"}
    assert stock_of(last_units, store) == Decimal("0")
    assert PosInvoice.objects.filter(status="completed").count() == 3


def test_completing_one_invoice_from_two_terminals_deducts_once(
    cashier, invoices_url, session, customer, workspace, store
):
    product = stocked_product(workspace, store, quantity="10")
    api = client_for(cashier)
    url = f"{invoices_url}/{api.post(invoices_url, {'clientId': customer.pk}, format='json').json()['invoice']['id']}"
    api.post(f"{url}/items", {"productId": product.pk, "quantity": 4}, format="json")

    results = run_together(
        4, lambda _i: client_for(cashier).post(f"{url}/complete", {}, format="json").status_code
    )
    assert sorted(results) == [200, 422, 422, 422]
    assert stock_of(product, store) == Decimal("6")


def test_a_retried_create_with_the_same_idempotency_key_makes_one_invoice(
    cashier, invoices_url, session, customer
):
    def create(_index):
        response = client_for(cashier).post(
            invoices_url, {"clientId": customer.pk}, format="json", HTTP_IDEMPOTENCY_KEY="till-1-sale-42"
        )
        return response.status_code

    results = run_together(5, create)
    assert set(results) <= {201, 409}
    assert 201 in results
    assert PosInvoice.objects.count() == 1
    replay = client_for(cashier).post(
        invoices_url, {"clientId": customer.pk}, format="json", HTTP_IDEMPOTENCY_KEY="till-1-sale-42"
    )
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["invoice"]["publicId"] == "POS-001"


def test_closing_the_day_while_terminals_complete(
    owner, cashier, invoices_url, session, customer, workspace, store
):
    product = stocked_product(workspace, store, quantity="100")
    api = client_for(cashier)
    urls = []
    for _ in range(5):
        url = f"{invoices_url}/{api.post(invoices_url, {'clientId': customer.pk}, format='json').json()['invoice']['id']}"
        api.post(f"{url}/items", {"productId": product.pk, "quantity": 1}, format="json")
        urls.append(url)
    close_url = f"/v1/workspace/{workspace.pk}/pos/sessions/{session.pk}/close"

    def act(index):
        if index == 5:
            return client_for(owner).post(close_url, {"cancelDrafts": True}, format="json").json()
        return client_for(cashier).post(f"{urls[index]}/complete", {}, format="json").status_code

    results = run_together(6, act)
    summary = results[5]["session"]["summary"]
    completed = PosInvoice.objects.filter(status="completed").count()
    # Every invoice is either completed (and counted in the Z-report) or cancelled by the close: none is lost.
    assert summary["invoiceCounts"] == {"draft": 0, "completed": completed, "cancelled": 5 - completed}
    assert stock_of(product, store) == Decimal(100 - completed)
    assert summary["netSales"] == completed * 10


def _two_drafts(workspace, owner, store, customer, coffee):
    """Two drafts of one workspace, both in the day's session (committed: the threads read them)."""
    from pos import services
    from tests.pos.conftest import owner_access

    access = owner_access(workspace, owner)
    drafts = [
        services.invoice_create(workspace=workspace, access=access, client=customer, store=store)
        for _ in range(2)
    ]
    return access, drafts


def _hold_and_edit(invoice_to_lock, invoice_to_edit, access, product, wait_seconds):
    """Thread 0 holds `invoice_to_lock`'s row lock (pos.locks.lock_invoice inside transaction.atomic) until thread 1
    has added an item to `invoice_to_edit` through the service, or `wait_seconds` have passed. Returns whether
    thread 1 finished while the lock was still held."""
    import threading

    from django.db import transaction

    from pos import services
    from pos.locks import lock_invoice

    locked, edited = threading.Event(), threading.Event()

    def work(index):
        if index == 0:
            with transaction.atomic():
                assert lock_invoice(invoice_to_lock.pk, workspace_id=invoice_to_lock.workspace_id) is not None
                locked.set()
                return edited.wait(timeout=wait_seconds)  # the lock is held all along this wait
        assert locked.wait(timeout=10), "the first till never took its lock"
        services.invoice_add_item(
            invoice=invoice_to_edit,
            access=access,
            product=product,
            quantity=Decimal(1),
            unit_price=None,
            note="",
        )
        edited.set()
        return True

    finished_while_locked, edited_ok = run_together(2, work)
    assert edited_ok
    return finished_while_locked


def test_a_till_editing_one_invoice_does_not_wait_for_another_invoices_lock(
    workspace, owner, store, session, customer, coffee
):
    # Given: till 1 holds invoice A's lock (as during any edit of A)
    access, (invoice_a, invoice_b) = _two_drafts(workspace, owner, store, customer, coffee)

    # When: till 2 adds an item to invoice B of the same workspace
    finished_while_a_was_locked = _hold_and_edit(invoice_a, invoice_b, access, coffee, wait_seconds=10)

    # Then: it finished before till 1 released A (no lock on the workspace, the store or the session row)
    assert finished_while_a_was_locked is True
    assert PosInvoice.objects.get(pk=invoice_b.pk).total == Decimal("10.000")


def test_the_same_invoice_does_wait_for_its_lock(workspace, owner, store, session, customer, coffee):
    """The harness can see waiting: an edit of the locked invoice itself finishes only once the lock is released."""
    access, (invoice_a, _invoice_b) = _two_drafts(workspace, owner, store, customer, coffee)

    finished_while_a_was_locked = _hold_and_edit(invoice_a, invoice_a, access, coffee, wait_seconds=1)

    assert finished_while_a_was_locked is False
    assert PosInvoice.objects.get(pk=invoice_a.pk).total == Decimal("10.000")  # it went through afterwards


def _hold_a_completion(access, held_invoice, other_work, wait_seconds):
    """Thread 0 completes `held_invoice` through the service inside a transaction it keeps open (its session
    `FOR SHARE`, its invoice and stock rows locked) until thread 1 has run `other_work` or `wait_seconds` have
    passed. Returns (whether thread 1 finished while thread 0's transaction was still open, thread 1's result)."""
    import threading

    from django.db import transaction

    from pos import services

    held, done = threading.Event(), threading.Event()

    def work(index):
        if index == 0:
            with transaction.atomic():
                services.invoice_complete(invoice=held_invoice, access=access, payments=None)
                held.set()
                return done.wait(timeout=wait_seconds)  # the transaction stays open all along this wait
        assert held.wait(timeout=10), "the first till never completed"
        result = other_work()
        done.set()
        return result

    finished_while_held, result = run_together(2, work)
    return finished_while_held, result


def _draft_of(access, workspace, store, customer, product):
    from pos import services

    invoice = services.invoice_create(workspace=workspace, access=access, client=customer, store=store)
    return services.invoice_add_item(
        invoice=invoice, access=access, product=product, quantity=Decimal(1), unit_price=None, note=""
    )


def test_two_tills_complete_invoices_of_one_store_without_waiting_for_each_other(
    workspace, owner, store, session, customer
):
    from pos import services
    from tests.pos.conftest import owner_access

    # Given: two drafts of one store's day, of different products (no stock row in common)
    access = owner_access(workspace, owner)
    tea, cake = stocked_product(workspace, store, name="شاي"), stocked_product(workspace, store, name="كعك")
    invoice_a = _draft_of(access, workspace, store, customer, tea)
    invoice_b = _draft_of(access, workspace, store, customer, cake)

    # When: till 1 completes A and holds its transaction open; till 2 completes B meanwhile
    finished_while_held, completed_b = _hold_a_completion(
        access,
        invoice_a,
        lambda: services.invoice_complete(invoice=invoice_b, access=access, payments=None),
        wait_seconds=10,
    )

    # Then: till 2 finished before till 1 committed: the session is shared, not queued on
    assert finished_while_held is True
    assert completed_b.status == PosInvoice.Status.COMPLETED
    assert set(PosInvoice.objects.values_list("status", flat=True)) == {"completed"}


def test_a_close_waits_for_the_sale_in_flight_and_counts_it_once(workspace, owner, store, session, customer):
    from pos import services
    from pos.models import BusinessSession
    from tests.pos.conftest import owner_access

    # Given: a sale being completed (its transaction open) and another draft of the day
    access = owner_access(workspace, owner)
    tea, cake = stocked_product(workspace, store, name="شاي"), stocked_product(workspace, store, name="كعك")
    invoice_a = _draft_of(access, workspace, store, customer, tea)
    _draft_of(access, workspace, store, customer, cake)

    # When: the owner closes the day meanwhile
    def close():
        return services.session_close(session=session, access=access, closing_cash=None, cancel_drafts=True)

    finished_while_held, closed = _hold_a_completion(access, invoice_a, close, wait_seconds=2)

    # Then: the close waited for the sale (FOR UPDATE against its FOR SHARE), and its Z-report counts it once
    assert finished_while_held is False
    summary = BusinessSession.objects.get(pk=session.pk).summary
    assert closed.status == BusinessSession.Status.CLOSED
    assert summary["invoiceCounts"] == {"draft": 0, "completed": 1, "cancelled": 1}
    assert Decimal(summary["netSales"]) == Decimal(10)
    assert Decimal(summary["payments"]["cash"]) == Decimal(10)
    assert stock_of(tea, store) == Decimal(49)
    assert stock_of(cake, store) == Decimal(50)


def test_no_sale_slips_into_a_closed_day(workspace, owner, store, session, customer, coffee):
    """Creates and completes racing a close: each invoice ends completed (and in the Z-report) or cancelled or
    refused; none is left a draft in a closed day."""
    from pos import services
    from pos.models import BusinessSession
    from tests.pos.conftest import owner_access
    from workspaces.errors import ApplicationError

    access = owner_access(workspace, owner)
    drafts = [_draft_of(access, workspace, store, customer, coffee) for _ in range(4)]

    def act(index):
        try:
            if index == 4:
                return services.session_close(
                    session=session, access=access, closing_cash=None, cancel_drafts=True
                )
            if index == 5:
                return services.invoice_create(
                    workspace=workspace, access=access, client=customer, store=store
                )
            return services.invoice_complete(invoice=drafts[index], access=access, payments=None)
        except ApplicationError as exc:
            return exc.code

    run_together(6, act)
    summary = BusinessSession.objects.get(pk=session.pk).summary
    invoices = PosInvoice.objects.filter(session=session)
    assert not invoices.filter(status="draft").exists()
    completed = invoices.filter(status="completed").count()
    assert summary["invoiceCounts"]["completed"] == completed
    assert summary["invoiceCounts"]["cancelled"] == invoices.filter(status="cancelled").count()
    assert Decimal(summary["netSales"]) == completed * 10
    assert stock_of(coffee, store) == Decimal(50 - completed)
