"""The database router (PRODUCT.md section 11): with a replica configured, lists, reports, exports and the admin's
lists read from it; writes, reads of a request that wrote, and a client's reads for a few seconds after it wrote
stay on the primary; a replica that fails a read leaves the reads on the primary. Without one nothing changes.

The unit tests check the router's choices; the PostgreSQL tests give the test database a second connection as the
replica (what a streaming replica is to the app: another connection that sees what was committed) and count the
queries each connection ran while real requests were served.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import OperationalError, connections, transaction
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from pos.models import PosInvoice
from tests.conftest import client_for
from tests.factories import ClientFactory, StoreFactory
from workspaces import routing
from workspaces.models import Store

router = routing.PrimaryReplicaRouter()


@pytest.fixture
def replica_on(transactional_db, monkeypatch):
    """The router believes a replica is configured (its choices only: no query runs on it)."""
    monkeypatch.setattr(routing, "replica_configured", lambda: True)
    monkeypatch.setattr(routing, "_replica_failed_at", None)
    cache.clear()


def test_without_a_replica_every_read_is_the_primarys(db):
    assert not routing.replica_configured()
    with routing.request_routing("GET"), routing.replica_allowed("user:1") as state:
        assert state is None
        assert router.db_for_read(Store) == "default"


def test_outside_a_request_reads_go_to_the_primary(replica_on):
    assert router.db_for_read(Store) == "default"
    with routing.replica_allowed("user:1") as state:
        assert state is None


@pytest.mark.django_db(transaction=True)
def test_a_list_read_of_a_quiet_client_goes_to_the_replica(replica_on):
    with routing.request_routing("GET"):
        assert router.db_for_read(Store) == "default"  # outside the list's own work
        with routing.replica_allowed("user:1") as state:
            assert router.db_for_read(Store) == "replica"
            assert state.used_replica
        assert router.db_for_read(Store) == "default"


@pytest.mark.django_db(transaction=True)
def test_a_write_keeps_the_rest_of_the_request_on_the_primary(replica_on):
    with routing.request_routing("GET"), routing.replica_allowed("user:1"):
        assert router.db_for_read(Store) == "replica"
        assert router.db_for_write(Store) == "default"
        assert router.db_for_read(Store) == "default"


@pytest.mark.django_db(transaction=True)
def test_an_unsafe_method_never_reads_from_the_replica(replica_on):
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        with routing.request_routing(method), routing.replica_allowed("user:1") as state:
            assert state is None
            assert router.db_for_read(Store) == "default"


@pytest.mark.django_db(transaction=True)
def test_a_read_inside_a_transaction_is_the_primarys(replica_on):
    with routing.request_routing("GET"), routing.replica_allowed("user:1"), transaction.atomic():
        assert router.db_for_read(Store) == "default"


@pytest.mark.django_db(transaction=True)
def test_a_client_that_wrote_reads_its_writes_for_a_few_seconds(replica_on, settings):
    routing.client_wrote("user:1")
    with routing.request_routing("GET"):
        with routing.replica_allowed("user:1") as state:
            assert state is None
            assert router.db_for_read(Store) == "default"
        with routing.replica_allowed("user:2"):  # another client is not held back
            assert router.db_for_read(Store) == "replica"
    cache.delete(routing._pin_key("user:1"))  # the few seconds have passed
    with routing.request_routing("GET"), routing.replica_allowed("user:1"):
        assert router.db_for_read(Store) == "replica"


@pytest.mark.django_db(transaction=True)
def test_a_failed_replica_read_is_served_again_by_the_primary(replica_on, monkeypatch):
    served = []

    def serve():
        database = router.db_for_read(Store)
        served.append(database)
        if database == "replica":
            raise OperationalError("the replica went away")
        return "the primary's answer"

    with routing.request_routing("GET"):
        assert routing.served_from_replica("user:1", serve) == "the primary's answer"
    assert served == ["replica", "default"]
    # For a while after, this process does not try the replica.
    with routing.request_routing("GET"), routing.replica_allowed("user:1") as state:
        assert state is None
    monkeypatch.setattr(
        routing, "_replica_failed_at", routing._replica_failed_at - routing.REPLICA_RETRY_AFTER - 1
    )
    with routing.request_routing("GET"), routing.replica_allowed("user:1") as state:
        assert state is not None


@pytest.mark.django_db(transaction=True)
def test_a_primary_failure_is_not_retried(replica_on):
    def serve():
        raise OperationalError("the primary went away")

    with routing.request_routing("GET"), pytest.raises(OperationalError):
        routing.served_from_replica("user:1", serve)
    assert routing._replica_failed_at is None


@pytest.mark.django_db(transaction=True)
def test_an_export_streams_from_the_replica(replica_on):
    def chunks():
        yield router.db_for_read(Store)
        yield router.db_for_read(Store)

    with routing.request_routing("GET"):
        response = routing.served_from_replica("user:1", lambda: StreamingHttpResponse(chunks()))
    # Consumed after the view and the middleware returned, as the WSGI server does.
    assert [chunk.decode() for chunk in response.streaming_content] == ["replica", "replica"]
    assert router.db_for_read(Store) == "default"


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "pos")
    assert not router.allow_migrate("replica", "pos")


# --- Real requests, the replica a second connection to the test database ------------------------------------------


@pytest.fixture
def replica_connection(settings, monkeypatch):
    """The `replica` alias of the test settings (a second connection to the test database, which sees what the
    primary committed), used by the router."""
    settings.DATABASE_REPLICA_READS = True
    monkeypatch.setattr(routing, "_replica_failed_at", None)
    cache.clear()
    yield connections["replica"]
    connections["replica"].close()


def _queries(api, url, *, method="get", **kwargs):
    with (
        CaptureQueriesContext(connections["default"]) as on_primary,
        CaptureQueriesContext(connections["replica"]) as on_replica,
    ):
        response = getattr(api, method)(url, **kwargs)
    return response, len(on_primary), len(on_replica)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_lists_and_reports_read_from_the_replica_and_writers_read_their_writes(
    replica_connection, workspace, owner, staff
):
    owner_api, staff_api = client_for(owner), client_for(staff)
    base = f"/v1/workspace/{workspace.pk}"
    assert owner_api.post(f"{base}/pos/sessions", {"openingCash": 100}, format="json").status_code == 201

    # The owner just wrote: its list is the primary's, and it sees its session at once.
    response, primary, replica = _queries(owner_api, f"{base}/pos/sessions")
    assert response.status_code == 200 and len(response.json()["sessions"]) == 1
    assert primary > 0 and replica == 0

    # Another client, with no recent write: the list is the replica's (what the primary committed).
    response, _primary, replica = _queries(staff_api, f"{base}/pos/sessions")
    assert response.status_code == 200 and len(response.json()["sessions"]) == 1
    assert replica > 0

    cache.clear()  # the owner's few seconds have passed
    response, primary, replica = _queries(owner_api, f"{base}/pos/sessions")
    assert response.status_code == 200 and len(response.json()["sessions"]) == 1
    assert replica > 0
    session_id = response.json()["sessions"][0]["id"]
    response, _primary, replica = _queries(owner_api, f"{base}/pos/sessions/{session_id}/report")
    assert response.status_code == 200 and replica > 0
    # A single resource is always the primary's.
    response, _primary, replica = _queries(owner_api, f"{base}/pos/sessions/{session_id}")
    assert response.status_code == 200 and replica == 0

    # A write goes to the primary, and its reads too.
    customer = ClientFactory(workspace=workspace)
    response, primary, replica = _queries(
        owner_api, f"{base}/pos/invoices", method="post", data={"clientId": customer.pk}, format="json"
    )
    assert response.status_code == 201 and primary > 0 and replica == 0
    response, _primary, replica = _queries(owner_api, f"{base}/pos/invoices")
    assert [invoice["id"] for invoice in response.json()["invoices"]] == [
        str(pk) for pk in PosInvoice.objects.values_list("pk", flat=True)
    ]
    assert replica == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_replica_that_fails_leaves_the_list_to_the_primary(
    replica_connection, workspace, owner, monkeypatch
):
    StoreFactory(workspace=workspace, name="فرع الشاطئ")
    # A closed port: the replica is down (its settings are a copy of the primary's, changed for this test only).
    replica = connections["replica"]
    replica.close()
    monkeypatch.setattr(replica, "settings_dict", {**replica.settings_dict, "PORT": "9"})
    with CaptureQueriesContext(connections["default"]) as on_primary:
        response = client_for(owner).get(f"/v1/workspace/{workspace.pk}/products")
    assert response.status_code == 200 and len(on_primary) > 0
    assert routing._replica_failed_at is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_admins_lists_and_dashboard_read_from_the_replica(replica_connection, workspace, owner, client):
    client.force_login(owner)
    cache.clear()
    for url in ("/admin/", "/admin/pos/posinvoice/", "/admin/workspaces/store/"):
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            response = client.get(url)
        assert response.status_code == 200, url
        assert len(on_replica) > 0, url


@pytest.mark.django_db(transaction=True)
def test_a_cache_that_is_down_keeps_the_client_on_the_primary_and_its_writes_answered(
    replica_on, monkeypatch
):
    def down(*args, **kwargs):
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    routing.client_wrote("user:1")  # the write's answer is not lost for want of the mark
    with routing.request_routing("GET"), routing.replica_allowed("user:1") as state:
        assert state is None
        assert router.db_for_read(Store) == "default"
