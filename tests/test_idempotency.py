"""PRODUCT.md section 2, "Retries": Idempotency-Key on every POST."""

import datetime as dt
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request

from tests.concurrency import run_together, values_of
from tests.conftest import client_for
from workspaces.api import idempotency
from workspaces.api.parsers import JSONParser
from workspaces.models import Client, IdempotencyRecord, User

pytestmark = pytest.mark.django_db


def post_client(api, workspace, body, key="key-1"):
    return api.post(f"/v1/workspace/{workspace.pk}/clients", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_same_key_and_body_replays_the_response_and_does_nothing_else(owner_client, workspace):
    first = post_client(owner_client, workspace, {"name": "مطعم"})
    second = post_client(owner_client, workspace, {"name": "مطعم"})

    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Client.objects.count() == 1


def test_key_order_in_the_body_does_not_change_the_fingerprint(owner_client, workspace):
    post_client(owner_client, workspace, {"name": "c", "phone": "1"})
    again = owner_client.post(
        f"/v1/workspace/{workspace.pk}/clients",
        data='{"phone": "1", "name": "c"}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="key-1",
    )
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"


def test_same_key_with_another_body_is_422(owner_client, workspace):
    post_client(owner_client, workspace, {"name": "a"})
    response = post_client(owner_client, workspace, {"name": "b"})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert list(Client.objects.values_list("name", flat=True)) == ["a"]


def test_same_key_on_another_path_is_422(owner_client, workspace):
    post_client(owner_client, workspace, {"name": "a"})
    response = owner_client.post(
        f"/v1/workspace/{workspace.pk}/stores", {"name": "a"}, format="json", HTTP_IDEMPOTENCY_KEY="key-1"
    )
    assert response.status_code == 422


def test_a_refused_request_stores_nothing_and_can_be_retried(owner_client, workspace):
    refused = post_client(owner_client, workspace, {"name": ""})
    assert refused.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    retried = post_client(owner_client, workspace, {"name": "fixed"})
    assert retried.status_code == 201
    assert not retried.has_header("Idempotent-Replayed")


def test_the_key_is_bound_to_the_principal(owner_client, owner, workspace, store):
    from tests.conftest import make_staff

    other = client_for(make_staff(workspace, "clients.manage"))
    post_client(owner_client, workspace, {"name": "a"})
    response = post_client(other, workspace, {"name": "a"})
    assert response.status_code == 201
    assert not response.has_header("Idempotent-Replayed")
    assert Client.objects.count() == 2


def test_a_key_older_than_24_hours_is_forgotten(owner_client, workspace):
    post_client(owner_client, workspace, {"name": "a"})
    IdempotencyRecord.objects.update(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=24, seconds=1))
    response = post_client(owner_client, workspace, {"name": "a"})
    assert response.status_code == 201
    assert not response.has_header("Idempotent-Replayed")
    assert Client.objects.count() == 2


def test_a_key_of_more_than_255_characters_is_400(owner_client, workspace):
    response = post_client(owner_client, workspace, {"name": "a"}, key="k" * 256)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert post_client(owner_client, workspace, {"name": "a"}, key="k" * 255).status_code == 201


def test_auth_endpoints_do_not_store_their_secrets(api_client):
    body = {"email": "x@example.com", "password": "s3cure-pass-word!", "name": "n", "workspaceName": "w"}
    first = api_client.post("/v1/auth/register", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    second = api_client.post("/v1/auth/register", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == 201
    assert second.status_code == 409
    assert not IdempotencyRecord.objects.exists()


def test_api_key_creation_is_not_replayed(owner_client, workspace):
    first = owner_client.post(
        f"/v1/workspace/{workspace.pk}/api-keys", {"name": "k"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    second = owner_client.post(
        f"/v1/workspace/{workspace.pk}/api-keys", {"name": "k"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert first.json()["key"] != second.json()["key"]
    assert not IdempotencyRecord.objects.exists()


def test_the_work_and_its_record_commit_together(owner_client, workspace, monkeypatch):
    # A crash while recording the key must not leave the work done and the key unrecorded.
    def crash(*args, **kwargs):
        raise RuntimeError("crash after the work, before the record")

    monkeypatch.setattr(idempotency, "insert", crash)  # the record's INSERT
    owner_client.raise_request_exception = False
    response = post_client(owner_client, workspace, {"name": "lost?"})
    assert response.status_code == 500
    assert not Client.objects.exists()


def _blind_lookup(monkeypatch):
    """The key's lookup misses a record committed after its statement began (`idempotency._locked_record` reads
    the snapshot its statement took before it got the lock): the record's unique constraint catches the second
    request."""
    monkeypatch.setattr(idempotency, "_locked_record", lambda principal, key: None)


def test_a_key_committed_while_the_lookup_looked_is_replayed_and_the_work_undone(
    owner_client, workspace, monkeypatch
):
    first = post_client(owner_client, workspace, {"name": "مطعم"})
    _blind_lookup(monkeypatch)
    second = post_client(owner_client, workspace, {"name": "مطعم"})

    assert second.status_code == 201
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert Client.objects.count() == 1


def test_another_body_under_a_key_committed_meanwhile_is_422(owner_client, workspace, monkeypatch):
    post_client(owner_client, workspace, {"name": "a"})
    _blind_lookup(monkeypatch)
    response = post_client(owner_client, workspace, {"name": "b"})

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert list(Client.objects.values_list("name", flat=True)) == ["a"]


def test_multipart_fingerprint_covers_fields_and_file_contents():
    def fingerprint(content: bytes, note: str) -> str:
        upload = SimpleUploadedFile("scan.png", content, content_type="image/png")
        django_request = RequestFactory().post("/x", {"file": upload, "note": note})
        request = Request(django_request, parsers=[MultiPartParser(), JSONParser()])
        return idempotency.body_fingerprint(request)

    assert fingerprint(b"abc", "n") == fingerprint(b"abc", "n")
    assert fingerprint(b"abc", "n") != fingerprint(b"abd", "n")
    assert fingerprint(b"abc", "n") != fingerprint(b"abc", "m")


# --- PostgreSQL: a second request while the first still runs ------------------------------------------------


def _lock_id(user: User, key: str) -> int:
    return idempotency._advisory_lock_id(f"user:{user.pk}", key)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_in_flight_request_with_the_same_key_is_409_with_retry_after(owner, workspace):
    from django.db import connections

    api = client_for(owner)
    holder_ready, release = threading.Event(), threading.Event()

    def hold_the_key():
        # Another request with this key, mid-transaction: it holds the key's advisory lock.
        with connections["default"].cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_id(owner, "busy")])
            holder_ready.set()
            release.wait(10)
            cursor.execute("COMMIT")
        connections["default"].close()

    holder = threading.Thread(target=hold_the_key)
    holder.start()
    assert holder_ready.wait(10)
    try:
        response = post_client(api, workspace, {"name": "a"}, key="busy")
        assert response.status_code == 409
        assert response["Retry-After"] == "1"
        assert response.json()["code"] == "idempotency_in_progress"
        assert not Client.objects.exists()
    finally:
        release.set()
        holder.join()
    assert post_client(api, workspace, {"name": "a"}, key="busy").status_code == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_do_the_work_once(owner, workspace):

    def send(_index):
        response = post_client(client_for(owner), workspace, {"name": "once"}, key="race")
        return response.status_code, response.has_header("Idempotent-Replayed")

    results = values_of(run_together(6, send))

    assert Client.objects.filter(name="once").count() == 1
    assert all(status in (201, 409) for status, _replayed in results)
    assert [status for status, replayed in results if status == 201 and not replayed] == [201]


def test_purge_deletes_only_records_past_the_ttl(owner_client, workspace, capsys):
    from django.core.management import call_command

    post_client(owner_client, workspace, {"name": "old"}, key="old")
    post_client(owner_client, workspace, {"name": "new"}, key="new")
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)
    )
    call_command("purge_idempotency_keys")
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert "Deleted 1 idempotency records" in capsys.readouterr().out
