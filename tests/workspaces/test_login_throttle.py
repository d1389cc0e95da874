"""Logins are throttled per account and per client address (10 failures in 15 minutes: 429 `too_many_attempts`
with `Retry-After`, the right password too), on `/v1/auth/token` and the admin's login alike; an unknown e-mail costs
the same hashing as a known one (PRODUCT.md section 3)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.test import Client as Browser
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from tests.conftest import PASSWORD
from tests.factories import UserFactory
from workspaces.models import LoginFailure

pytestmark = pytest.mark.django_db


def token(email: str, password: str, address: str = "10.0.0.1", **headers):
    return APIClient().post(
        "/v1/auth/token",
        {"email": email, "password": password},
        format="json",
        REMOTE_ADDR=address,
        **headers,
    )


def admin_login(email: str, password: str, address: str = "10.0.0.1"):
    return Browser().post(
        "/admin/login/?next=/admin/", {"username": email, "password": password}, REMOTE_ADDR=address
    )


def assert_throttled(response) -> None:
    assert response.status_code == 429, response.content
    assert response.json()["code"] == "too_many_attempts"
    assert 1 <= int(response["Retry-After"]) <= 15 * 60


def test_ten_failures_then_the_right_password_is_429(owner):
    for _ in range(10):
        assert token(owner.email, "wrong-password").status_code == 401
    response = token(owner.email, PASSWORD)
    assert_throttled(response)
    assert response.json()["message"] == "Too many failed sign-in attempts. Try again later."


def test_nine_failures_then_the_right_password_is_200(owner):
    for _ in range(9):
        assert token(owner.email, "wrong-password").status_code == 401
    assert token(owner.email, PASSWORD).status_code == 200


def test_per_account_whatever_the_address(owner):
    for n in range(10):
        assert token(owner.email.upper(), "wrong-password", address=f"10.0.1.{n}").status_code == 401
    assert_throttled(token(owner.email, PASSWORD, address="10.9.9.9"))
    # Another account from the same addresses is not locked.
    other = UserFactory()
    assert token(other.email, PASSWORD, address="10.0.1.1").status_code == 200


def test_per_address_whatever_the_account(owner):
    for n in range(10):
        assert token(f"nobody{n}@example.com", "wrong-password", address="10.0.2.1").status_code == 401
    assert_throttled(token(owner.email, PASSWORD, address="10.0.2.1"))
    assert token(owner.email, PASSWORD, address="10.0.2.2").status_code == 200


def test_x_forwarded_for_is_not_trusted_by_default(owner):
    for n in range(10):
        token(f"nobody{n}@example.com", "wrong", address="10.0.3.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}")
    assert_throttled(token(owner.email, PASSWORD, address="10.0.3.1", HTTP_X_FORWARDED_FOR="9.9.9.9"))


@override_settings(LOGIN_THROTTLE_TRUSTED_PROXIES=1)
def test_x_forwarded_for_behind_a_trusted_proxy(owner):
    for n in range(10):
        token(f"nobody{n}@example.com", "wrong", address="10.0.4.1", HTTP_X_FORWARDED_FOR="spoof, 1.2.3.4")
    assert_throttled(token(owner.email, PASSWORD, address="10.0.4.1", HTTP_X_FORWARDED_FOR="1.2.3.4"))
    assert token(owner.email, PASSWORD, address="10.0.4.1", HTTP_X_FORWARDED_FOR="1.2.3.5").status_code == 200


def test_the_lock_lifts_after_the_window(owner):
    for _ in range(10):
        token(owner.email, "wrong-password")
    assert_throttled(token(owner.email, PASSWORD))
    LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=15, seconds=1))
    assert token(owner.email, PASSWORD).status_code == 200


def test_a_success_clears_the_accounts_failures_not_the_addresses(owner):
    for _ in range(9):
        token(owner.email, "wrong-password")
    assert token(owner.email, PASSWORD).status_code == 200
    for _ in range(9):
        assert token(owner.email, "wrong-password", address="10.0.5.1").status_code == 401
    assert token(owner.email, PASSWORD, address="10.0.5.1").status_code == 200


def test_a_locked_attempt_costs_no_hashing_and_records_nothing(owner):
    for _ in range(10):
        token(owner.email, "wrong-password")
    count = LoginFailure.objects.count()
    hasher = type(get_hasher())
    with mock.patch.object(hasher, "encode", autospec=True) as encode:
        assert_throttled(token(owner.email, PASSWORD))
    encode.assert_not_called()
    assert LoginFailure.objects.count() == count


def test_the_throttle_is_documented():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "429" in schema["paths"]["/v1/auth/token"]["post"]["responses"]


def test_the_settings():
    assert settings.LOGIN_THROTTLE_FAILURES == 10
    assert timedelta(minutes=15) == settings.LOGIN_THROTTLE_WINDOW


# --- The admin's login ----------------------------------------------------------------------------------------


def test_admin_login_is_throttled_too(owner):
    for _ in range(10):
        response = admin_login(owner.email, "wrong-password")
        assert response.status_code == 200 and "_auth_user_id" not in response.client.session
    response = admin_login(owner.email, PASSWORD)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 15 * 60
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in response.client.session


def test_api_and_admin_failures_count_together(owner):
    for _ in range(5):
        admin_login(owner.email, "wrong-password")
    for _ in range(5):
        token(owner.email, "wrong-password", address="10.0.6.1")
    assert_throttled(token(owner.email, PASSWORD, address="10.0.6.2"))
    assert admin_login(owner.email, PASSWORD, address="10.0.6.3").status_code == 429


def test_admin_login_success_still_works(owner):
    response = admin_login(owner.email, PASSWORD)
    assert response.status_code == 302 and response.url == "/admin/"


# --- Equal work -----------------------------------------------------------------------------------------------


@pytest.fixture
def hashings():
    """Counts the password hasher's runs (its `encode`, which both hashing and checking go through)."""
    hasher = type(get_hasher())
    original = hasher.encode
    with mock.patch.object(hasher, "encode", autospec=True, side_effect=original) as encode:
        yield encode


def test_an_unknown_email_costs_one_hashing_like_a_wrong_password(owner, hashings):
    assert token("nobody@example.com", "wrong-password").status_code == 401
    unknown = hashings.call_count
    hashings.reset_mock()
    assert token(owner.email, "wrong-password", address="10.0.7.1").status_code == 401
    assert (unknown, hashings.call_count) == (1, 1)


def test_an_inactive_user_costs_one_hashing_too(owner, hashings):
    owner.is_active = False
    owner.save()
    assert token(owner.email, PASSWORD).status_code == 401
    assert hashings.call_count == 1


def test_admin_login_of_an_unknown_email_costs_one_hashing(owner, hashings):
    admin_login("nobody@example.com", "wrong-password")
    unknown = hashings.call_count
    hashings.reset_mock()
    admin_login(owner.email, "wrong-password", address="10.0.8.1")
    assert (unknown, hashings.call_count) == (1, 1)


def test_registering_a_taken_email_costs_one_hashing(owner, hashings):
    body = {"email": owner.email, "password": "s3cure-pass-word!", "name": "x", "workspaceName": "y"}
    response = APIClient().post("/v1/auth/register", body, format="json")
    assert response.status_code == 409
    taken = hashings.call_count
    hashings.reset_mock()
    response = APIClient().post("/v1/auth/register", {**body, "email": "new@example.com"}, format="json")
    assert response.status_code == 201
    assert (taken, hashings.call_count) == (1, 1)
