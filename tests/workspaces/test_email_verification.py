"""Registration sends a verification link; `POST /v1/auth/verify-email` and the page behind the link confirm it
(PRODUCT.md section 3)."""

from __future__ import annotations

import re
import time
from unittest import mock

import pytest
from django.core import mail
from django.test import Client as Browser
from rest_framework.test import APIClient

from tests.conftest import client_for
from tests.factories import UserFactory
from workspaces.models import User
from workspaces.verification import verification_token

pytestmark = pytest.mark.django_db

REGISTER = {
    "email": "owner@example.com",
    "password": "s3cure-pass-word!",
    "name": "سارة",
    "workspaceName": "مقهى الياسمين",
}
LINK = re.compile(r"https?://[^/\s]+/accounts/verify-email/([^/\s]+)/")


def register(**headers) -> dict:
    response = APIClient().post("/v1/auth/register", REGISTER, format="json", **headers)
    assert response.status_code == 201, response.content
    return response.json()


def verify(token: str):
    return APIClient().post("/v1/auth/verify-email", {"token": token}, format="json")


def test_registration_sends_the_link_once_committed(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        body = register()
    assert body["user"]["emailVerified"] is False
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@example.com"]
    assert message.subject == "Confirm your e-mail address"
    match = LINK.search(message.body)
    assert match, message.body
    user = User.objects.get()
    assert user.email_verified_at is None
    # The link's token verifies the address.
    response = verify(match.group(1))
    assert response.status_code == 200
    user.refresh_from_db()
    assert response.json() == {
        "user": {"id": str(user.pk), "email": "owner@example.com", "name": "سارة", "emailVerified": True}
    }
    assert user.email_verified_at is not None
    assert client_for(user).get("/v1/me").json()["user"]["emailVerified"] is True


def test_the_mail_is_in_the_users_language(django_capture_on_commit_callbacks):
    from django.utils import translation

    languages = []
    real_gettext = translation.gettext

    def spy(message):
        languages.append(translation.get_language())
        return real_gettext(message)

    with (
        mock.patch("workspaces.verification._", side_effect=spy),
        django_capture_on_commit_callbacks(execute=True),
    ):
        register(HTTP_ACCEPT_LANGUAGE="ar")
    assert languages == ["ar"]  # the subject (and the body) rendered in the language the request asked for
    assert LINK.search(mail.outbox[0].body)


def test_a_failed_registration_sends_nothing(django_capture_on_commit_callbacks):
    UserFactory(email="owner@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post("/v1/auth/register", REGISTER, format="json")
    assert response.status_code == 409
    assert mail.outbox == []


def test_a_used_token_is_400():
    user = UserFactory()
    token = verification_token(user)
    assert verify(token).status_code == 200
    again = verify(token)
    assert again.status_code == 400
    assert again.json() == {
        "message": "Invalid input.",
        "code": "validation_error",
        "errors": {"token": ["This link is invalid, already used or expired."]},
    }


@pytest.mark.parametrize("token", ["garbage", "", "a" * 600, "eyJ1IjoxfQ:1tAbCd:bad-signature"])
def test_a_bad_token_is_400(token):
    response = verify(token)
    assert response.status_code == 400 and "token" in response.json()["errors"]


def test_a_token_older_than_a_week_is_400():
    user = UserFactory()
    eight_days_ago = time.time() - 8 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=eight_days_ago):
        token = verification_token(user)
    assert verify(token).status_code == 400
    six_days_ago = time.time() - 6 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=six_days_ago):
        token = verification_token(user)
    assert verify(token).status_code == 200


def test_a_token_is_bound_to_the_address_it_was_sent_to():
    user = UserFactory(email="first@example.com")
    token = verification_token(user)
    user.email = "second@example.com"
    user.save()
    assert verify(token).status_code == 400
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_a_deactivated_users_token_is_400():
    user = UserFactory(is_active=False)
    assert verify(verification_token(user)).status_code == 400


def test_verify_email_validation_and_query_count(django_assert_num_queries):
    assert verify(None).status_code == 400
    response = APIClient().post("/v1/auth/verify-email", {}, format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["token"]
    user = UserFactory()
    token = verification_token(user)
    with django_assert_num_queries(4):  # the user (locked), the update, the transaction's savepoint pair
        assert verify(token).status_code == 200


# --- Sending the link again -----------------------------------------------------------------------------------


def test_a_signed_in_user_asks_for_the_link_again(owner, django_capture_on_commit_callbacks):
    api = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/v1/me/email-verification")
    assert response.status_code == 204
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert verify(LINK.search(mail.outbox[0].body).group(1)).status_code == 200
    again = api.post("/v1/me/email-verification")
    assert (again.status_code, again.json()["code"]) == (409, "email_already_verified")
    assert APIClient().post("/v1/me/email-verification").status_code == 401


# --- The page behind the link ---------------------------------------------------------------------------------


def page_url(token: str) -> str:
    return f"/accounts/verify-email/{token}/"


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "Confirm your e-mail address"), ("ar", 'dir="rtl"')]
)
def test_the_page_asks_for_a_click_in_the_users_language(language, expected):
    user = UserFactory()
    page = Browser().get(page_url(verification_token(user)), HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    html = page.content.decode()
    assert expected in html
    assert f'lang="{language}"' in html
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    user.refresh_from_db()
    assert user.email_verified_at is None  # opening the link alone confirms nothing


def test_the_pages_button_confirms_with_csrf():
    user = UserFactory()
    token = verification_token(user)
    browser = Browser(enforce_csrf_checks=True)
    assert browser.post(page_url(token)).status_code == 403  # no CSRF token
    page = browser.get(page_url(token))
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    done = browser.post(page_url(token), {"csrfmiddlewaretoken": csrf})
    assert done.status_code == 200
    assert "Your e-mail address is confirmed." in done.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is not None
    used = browser.post(page_url(token), {"csrfmiddlewaretoken": csrf})
    assert used.status_code == 400
    assert "invalid, already used or expired" in used.content.decode()


def test_the_page_of_a_bad_token_says_so():
    page = Browser().get(page_url("garbage"))
    assert page.status_code == 400
    assert "invalid, already used or expired" in page.content.decode()
    assert "csrfmiddlewaretoken" not in page.content.decode()
