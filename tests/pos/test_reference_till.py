"""The reference offline till (tools/reference_till.py) against a real server (section 8d): what a till sees
when the network is down, when it comes back, and when an answer is lost on the way."""

import socket
from decimal import Decimal

import pytest
import requests

from tests.pos.conftest import stock_of
from tools.reference_till import ReferenceTill
from workspaces.services import tokens_for

pytestmark = pytest.mark.django_db(transaction=True)


def unreachable_url() -> str:
    """A loopback port nobody listens on: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
def make_till(live_server, tmp_path, workspace, store, owner, session):
    """A till of the store; the same queue file each time, as a till process restarted on the same disk."""
    tills = []

    def make(url: str) -> ReferenceTill:
        token = tokens_for(user=owner)["access"]
        queue = tmp_path / "queue.sqlite3"
        tills.append(ReferenceTill(url, workspace.pk, token, store.pk, "till-1", queue, backoff=(0.01, 0.02)))
        return tills[-1]

    yield make
    for till in tills:  # a kept-alive connection would end in the server's thread after the test's database
        till.http.close()
        till.db.close()


def sell_five(till: ReferenceTill, coffee) -> list[dict]:
    return [till.sell([{"productId": coffee.pk, "quantity": 2, "unitPrice": "10"}]) for _ in range(5)]


def listed_invoices(owner_client, workspace) -> list[dict]:
    response = owner_client.get(f"/v1/workspace/{workspace.pk}/pos/invoices")
    assert response.status_code == 200, response.content
    return response.json()["invoices"]


def test_sales_made_offline_are_sent_once_the_server_is_back(
    make_till, live_server, coffee, store, owner_client, workspace
):
    # Given a till selling while the server cannot be reached
    till = make_till(unreachable_url())
    sales = sell_five(till, coffee)
    report = till.sync(max_attempts=3)
    assert (report.created, report.attempts, dict(report.errors)) == (0, 3, {"ConnectionError": 3})
    assert (till.queued(), report.finished) == (5, False)
    assert listed_invoices(owner_client, workspace) == []

    # When the server is back
    till.base_url = live_server.url
    report = till.sync()

    # Then every sale is one completed offline invoice, the till knows which, and the queue is empty
    assert (report.created, report.duplicate, dict(report.rejected), report.attempts) == (5, 0, {}, 1)
    assert (till.queued(), report.finished) == (0, True)
    invoices = sorted(listed_invoices(owner_client, workspace), key=lambda i: int(i["id"]))
    recorded = till.synced()
    assert [i["clientRef"] for i in invoices] == [s["clientRef"] for s in sales]
    for invoice, sale in zip(invoices, sales, strict=True):
        assert recorded[sale["clientRef"]] == {"id": invoice["id"], "publicId": invoice["publicId"]}
        assert (invoice["status"], invoice["offline"], invoice["total"]) == ("completed", True, 20)
        assert (invoice["totalMismatch"], invoice["stockShort"]) == (False, False)
    assert stock_of(coffee, store) == Decimal(50 - 10)

    # And a second sync has nothing to send
    report = till.sync()
    assert (report.attempts, report.created, till.queued()) == (0, 0, 0)


def test_a_batch_whose_answer_was_lost_is_replayed_with_its_key(
    make_till, live_server, coffee, store, owner_client, workspace
):
    # Given a till whose batch reached the server but whose answer never came back (then the till died)
    keys = []
    till = make_till(live_server.url)
    sales = sell_five(till, coffee)
    send = till.http.post

    def answer_lost(url, **kwargs):
        keys.append(kwargs["headers"]["Idempotency-Key"])
        send(url, **kwargs)
        raise requests.ConnectionError("the answer was lost")

    till.http.post = answer_lost
    report = till.sync(max_attempts=1)
    assert (report.created, till.queued(), len(listed_invoices(owner_client, workspace))) == (0, 5, 5)

    # When the till restarts on the same queue and syncs
    till = make_till(live_server.url)
    send = till.http.post

    def spy(url, **kwargs):
        keys.append(kwargs["headers"]["Idempotency-Key"])
        return send(url, **kwargs)

    till.http.post = spy
    report = till.sync()

    # Then it resent the same batch under the same key, got the first answer again, and nothing was sold twice
    assert keys[0] == keys[1] and len(keys) == 2
    assert (report.created, report.duplicate, report.replays, till.queued()) == (5, 0, 1, 0)
    invoices = listed_invoices(owner_client, workspace)
    assert sorted(i["clientRef"] for i in invoices) == sorted(s["clientRef"] for s in sales)
    assert {ref: i["id"] for ref, i in till.synced().items()} == {i["clientRef"]: i["id"] for i in invoices}
    assert stock_of(coffee, store) == Decimal(50 - 10)
