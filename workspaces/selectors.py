"""Reads for people, workspaces and access: querysets already scoped to one workspace."""

from __future__ import annotations

from django.db.models import QuerySet

from workspaces.models import ApiKey, Client, Membership, Store, User, Workspace


def store_list(*, workspace: Workspace) -> QuerySet[Store]:
    return Store.objects.filter(workspace=workspace)


def store_get(*, workspace: Workspace, store_id: int) -> Store | None:
    """The workspace's store `store_id`, or None for an unknown or another workspace's id (the caller's 404)."""
    return store_list(workspace=workspace).filter(pk=store_id).first()


def client_list(*, workspace: Workspace) -> QuerySet[Client]:
    return Client.objects.filter(workspace=workspace)


def staff_list(*, workspace: Workspace) -> QuerySet[Membership]:
    """Staff members and invitations (each with its `status`); the owner is not listed."""
    return Membership.objects.filter(workspace=workspace, role=Membership.Role.STAFF).select_related("user")


def api_key_list(*, workspace: Workspace) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(workspace=workspace, revoked_at__isnull=True)


def user_memberships(*, user: User) -> QuerySet[Membership]:
    """The workspaces the user acts in: active memberships only (invitations are `invitation_list`'s)."""
    return Membership.objects.active().filter(user=user).order_by("pk")


def invitation_list(*, user: User) -> QuerySet[Membership]:
    """The invitations waiting for this user, with their workspace."""
    return Membership.objects.invited().filter(user=user).select_related("workspace")
