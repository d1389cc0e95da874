"""The login throttle on Redis (PRODUCT.md sections 3 and 11): with `REDIS_URL` set, the failures every worker
shares live in Redis, with the same limits, the same sliding window and the same `Retry-After` as the database's
rows, and none lost to concurrent workers. Runs against a real Redis (`TEST_REDIS_URL`, DB 13 by default), each test
under its own key prefix, whose keys it deletes afterwards."""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid

import pytest
import redis
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.workspaces.test_login_throttle import admin_login, token
from workspaces import login_throttle
from workspaces.models import LoginFailure

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
WINDOW = 15 * 60


@pytest.fixture(autouse=True)
def on_redis(settings):
    """Django's RedisCache at `REDIS_URL` as the default cache, under a prefix of this test's own."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"needs a Redis server at {REDIS_URL} (TEST_REDIS_URL): {exc}")
    prefix = f"test-throttle-{uuid.uuid4().hex}"
    settings.REDIS_URL = REDIS_URL
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield client, prefix
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    client.close()


@pytest.fixture
def clock(monkeypatch):
    """Stops the clock at a moment; `clock(seconds)` moves it to that many seconds after that moment."""
    start = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: start)

    def move(seconds: float) -> None:
        moment = start + dt.timedelta(seconds=seconds)
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return move


def assert_throttled(response, retry_after: int | None = None) -> None:
    assert response.status_code == 429, response.content
    assert response.json() == {
        "message": "Too many failed sign-in attempts. Try again later.",
        "code": "too_many_attempts",
    }
    if retry_after is None:
        assert 1 <= int(response["Retry-After"]) <= WINDOW
    else:
        assert response["Retry-After"] == str(retry_after)


def test_ten_failures_lock_the_account_for_the_window(owner, clock):
    for _ in range(10):
        assert token(owner.email, "wrong-password").status_code == 401
    assert_throttled(token(owner.email, PASSWORD), retry_after=WINDOW)


def test_nine_failures_then_the_right_password_is_200(owner):
    for _ in range(9):
        assert token(owner.email, "wrong-password").status_code == 401
    assert token(owner.email, PASSWORD).status_code == 200


def test_per_account_whatever_the_address(owner):
    for n in range(10):
        assert token(owner.email.upper(), "wrong-password", address=f"10.0.1.{n}").status_code == 401
    assert_throttled(token(owner.email, PASSWORD, address="10.9.9.9"))
    other = UserFactory()
    assert token(other.email, PASSWORD, address="10.0.1.1").status_code == 200


def test_per_address_whatever_the_account(owner):
    for n in range(10):
        assert token(f"nobody{n}@example.com", "wrong-password", address="10.0.2.1").status_code == 401
    assert_throttled(token(owner.email, PASSWORD, address="10.0.2.1"))
    assert token(owner.email, PASSWORD, address="10.0.2.2").status_code == 200


def test_a_success_clears_the_accounts_failures_not_the_addresses(owner):
    for _ in range(9):
        assert token(owner.email, "wrong-password", address="10.0.5.1").status_code == 401
    assert token(owner.email, PASSWORD, address="10.0.5.1").status_code == 200
    # The account starts again from nothing: nine more failures elsewhere still leave it open.
    for _ in range(9):
        assert token(owner.email, "wrong-password", address="10.0.5.2").status_code == 401
    assert token(owner.email, PASSWORD, address="10.0.5.3").status_code == 200
    # The first address kept its nine: one more failure there, for anyone, locks it.
    assert token("nobody@example.com", "wrong-password", address="10.0.5.1").status_code == 401
    assert_throttled(token(owner.email, PASSWORD, address="10.0.5.1"))


def test_the_window_slides(owner, clock):
    # Given five failures at 0 s and five at 600 s,
    for _ in range(5):
        token(owner.email, "wrong-password")
    clock(600)
    for _ in range(5):
        token(owner.email, "wrong-password")
    # the account is locked until the first five leave the window, at 900 s,
    assert_throttled(token(owner.email, PASSWORD), retry_after=300)
    clock(WINDOW - 1)
    assert_throttled(token(owner.email, PASSWORD), retry_after=1)
    # and open from then on. The success clears the account's failures, but the address still counts the last
    # five: five more lock it again, until those five from 600 s leave the window (1500 s).
    clock(WINDOW)
    assert token(owner.email, PASSWORD).status_code == 200
    clock(WINDOW + 1)
    for _ in range(5):
        assert token(owner.email, "wrong-password").status_code == 401
    assert_throttled(token(owner.email, PASSWORD), retry_after=600 + WINDOW - (WINDOW + 1))
    assert token(owner.email, PASSWORD, address="10.0.3.9").status_code == 200


def test_failures_are_kept_in_redis_not_in_the_database(owner, on_redis):
    client, prefix = on_redis
    for _ in range(10):
        token(owner.email, "wrong-password")
    assert_throttled(token(owner.email, PASSWORD))
    assert LoginFailure.objects.count() == 0
    # One sorted set for the account, one for the address, ten failures each, gone after the window.
    keys = sorted(key.decode() for key in client.scan_iter(match=f"{prefix}:*"))
    assert [key.split(":")[3] for key in keys] == ["account", "address"]
    for key in keys:
        assert client.zcard(key) == 10
        assert 0 < client.ttl(key) <= WINDOW + 1
    # A success clears the account's set only.
    login_throttle.success_record(email=owner.email)
    assert [key.decode().split(":")[3] for key in client.scan_iter(match=f"{prefix}:*")] == ["address"]


def test_api_and_admin_failures_count_together(owner):
    for _ in range(5):
        admin_login(owner.email, "wrong-password")
    for _ in range(5):
        token(owner.email, "wrong-password", address="10.0.6.1")
    assert_throttled(token(owner.email, PASSWORD, address="10.0.6.2"))
    assert admin_login(owner.email, PASSWORD, address="10.0.6.3").status_code == 429


@override_settings(LOGIN_THROTTLE_FAILURES=100)
def test_concurrent_failures_are_all_counted(owner):
    """Two workers recording failures at once lose none: 2 x 50 failures reach a limit of 100, exactly."""
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def fail_fifty(address: str) -> None:
        try:
            start.wait(timeout=10)
            for _ in range(50):
                login_throttle.failure_record(email=owner.email, address=address)
        except BaseException as exc:  # re-raised on the main thread
            errors.append(exc)

    threads = [threading.Thread(target=fail_fifty, args=(f"10.0.7.{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert_throttled(token(owner.email, PASSWORD, address="10.0.7.3"))
    # Exactly 100 for the account and 50 for each address: one limit higher and each is allowed.
    with override_settings(LOGIN_THROTTLE_FAILURES=101):
        assert login_throttle.retry_after(email=owner.email, address="10.0.7.3") is None
    with override_settings(LOGIN_THROTTLE_FAILURES=50):
        assert login_throttle.retry_after(email="someone@example.com", address="10.0.7.1") is not None
    with override_settings(LOGIN_THROTTLE_FAILURES=51):
        assert login_throttle.retry_after(email="someone@example.com", address="10.0.7.1") is None


def test_redis_url_without_the_redis_cache_is_a_configuration_error(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache_entries"}
    }
    with pytest.raises(ImproperlyConfigured, match="RedisCache"):
        login_throttle.check(email="someone@example.com", address="10.0.8.1")


def test_a_redis_that_is_down_is_a_503_to_retry_never_a_500(owner, settings):
    """Sign-in reads the throttle first: with Redis unreachable (a closed port), the API answers 503
    `service_unavailable` with `Retry-After`, the admin's login page a plain 503, and nothing is recorded."""
    down = "redis://127.0.0.1:9/0"
    settings.REDIS_URL = down
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": down}
    }
    response = token(owner.email, PASSWORD)
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json()["code"] == "service_unavailable"
    page = admin_login(owner.email, "wrong password")
    assert page.status_code == 503
    assert page["Retry-After"] == "1"
    assert not LoginFailure.objects.exists()
