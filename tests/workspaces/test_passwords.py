"""Passwords pass Django's validators and are not only whitespace, through every door (PRODUCT.md section 3)."""

from __future__ import annotations

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from tests.conftest import PASSWORD, client_for
from tests.factories import MembershipFactory, UserFactory
from workspaces.models import Membership, User
from workspaces.passwords import NotOnlyWhitespaceValidator

pytestmark = pytest.mark.django_db

BLANKS = ["        ", "\t\t\t\t\t\t\t\t\t", "\u00a0" * 10, " \n " * 4, "\u3000" * 9]


@pytest.mark.parametrize("password", BLANKS)
def test_the_validator(password):
    with pytest.raises(ValidationError) as refused:
        NotOnlyWhitespaceValidator().validate(password)
    assert refused.value.messages == ["The password cannot be only spaces."]
    NotOnlyWhitespaceValidator().validate("  a  long pass  ")


def test_it_is_one_of_the_validators():
    names = [type(v).__name__ for v in password_validation.get_default_password_validators()]
    assert "NotOnlyWhitespaceValidator" in names and "MinimumLengthValidator" in names
    assert "The password cannot be only spaces." in password_validation.password_validators_help_texts()


@pytest.mark.parametrize("password", BLANKS)
def test_register_refuses_a_blank_password(password):
    body = {"email": "a@example.com", "password": password, "name": "n", "workspaceName": "w"}
    response = APIClient().post("/v1/auth/register", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"password": ["The password cannot be only spaces."]}
    assert not User.objects.exists()


def test_staff_create_refuses_a_blank_password(owner_client, workspace):
    body = {"email": "new@example.com", "name": "n", "password": " " * 12}
    response = owner_client.post(f"/v1/workspace/{workspace.pk}/staff", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"password": ["The password cannot be only spaces."]}


def test_staff_update_refuses_a_blank_password(owner_client, workspace):
    user = UserFactory()
    membership = MembershipFactory(workspace=workspace, user=user)
    response = owner_client.patch(
        f"/v1/workspace/{workspace.pk}/staff/{membership.pk}", {"password": " " * 12}, format="json"
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["password"]


def test_password_change_refuses_a_blank_password(owner):
    response = client_for(owner).post(
        "/v1/me/password", {"currentPassword": PASSWORD, "newPassword": " " * 12}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"newPassword": ["The password cannot be only spaces."]}
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_admin_membership_add_refuses_a_blank_password(client, owner, workspace):
    client.force_login(owner)
    response = client.post(
        "/admin/workspaces/membership/add/", {"email": "n@example.com", "name": "n", "password": " " * 12}
    )
    assert response.status_code == 200
    assert "The password cannot be only spaces." in response.content.decode()
    assert not Membership.objects.filter(user__email="n@example.com").exists()


def test_admin_user_add_refuses_a_blank_password(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/workspaces/user/add/",
        {"email": "n@example.com", "name": "n", "password1": " " * 12, "password2": " " * 12},
    )
    assert response.status_code == 200
    assert "The password cannot be only spaces." in response.content.decode()
