"""How a request finds its workspace when the path names none (PRODUCT.md section 3)."""

from types import SimpleNamespace

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from tests.factories import MembershipFactory, WorkspaceFactory, owner_access
from workspaces.api.permissions import resolve_access
from workspaces.authentication import ApiKeyPrincipal
from workspaces.errors import ApplicationError
from workspaces.services import api_key_create

pytestmark = pytest.mark.django_db


def request_of(user, auth=None):
    return SimpleNamespace(user=user, auth=auth)


def test_the_only_membership(owner, workspace):
    assert resolve_access(request_of(owner, AccessToken.for_user(owner)), None).workspace == workspace


def test_several_memberships_need_the_workspace(owner, workspace, other_workspace):
    MembershipFactory(workspace=other_workspace, user=owner)
    with pytest.raises(ApplicationError) as refused:
        resolve_access(request_of(owner, AccessToken.for_user(owner)), None)
    assert (refused.value.status_code, refused.value.code) == (400, "workspace_required")


def test_the_token_claim_picks_the_workspace(owner, workspace, other_workspace):
    MembershipFactory(workspace=other_workspace, user=owner)
    token = AccessToken.for_user(owner)
    token["workspace_id"] = other_workspace.pk
    assert resolve_access(request_of(owner, token), None).workspace == other_workspace


def test_a_claim_for_a_removed_membership_is_403(owner, workspace, other_workspace):
    token = AccessToken.for_user(owner)
    token["workspace_id"] = other_workspace.pk
    with pytest.raises(ApplicationError) as refused:
        resolve_access(request_of(owner, token), None)
    assert refused.value.status_code == 403


def test_an_api_key_brings_its_workspace(owner, workspace):
    api_key, _raw = api_key_create(workspace=workspace, access=owner_access(workspace), name="k")
    access = resolve_access(request_of(ApiKeyPrincipal(api_key), api_key), None)
    assert access.workspace == workspace
    assert "invoices.manage" in access.granted()
    assert not access.has("owner")


def test_a_path_workspace_that_does_not_exist_is_404_even_for_an_api_key(owner, workspace):
    api_key, _raw = api_key_create(workspace=workspace, access=owner_access(workspace), name="k")
    with pytest.raises(ApplicationError) as refused:
        resolve_access(request_of(ApiKeyPrincipal(api_key), api_key), WorkspaceFactory().pk + 1000)
    assert refused.value.status_code == 404
