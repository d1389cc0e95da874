"""The signed-in user's invitations (PRODUCT.md section 3, "Members and their accounts"): per user, not per
workspace. Another user's invitation is a 404, as if it did not exist."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from workspaces import selectors, services
from workspaces.api.base import ApiView, ok, page
from workspaces.api.docs import envelope, errors
from workspaces.api.pagination import paginate
from workspaces.api.serializers import InvitationOutputSerializer, MembershipOutputSerializer
from workspaces.api.views.auth import signed_in_person


class InvitationListView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: InvitationOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        """List my invitations

        Workspaces that added the signed-in user's e-mail as staff, newest first. An invitation grants nothing
        until accepted. An API key is a 403."""
        rows, next_cursor = paginate(selectors.invitation_list(user=signed_in_person(request)), request)
        return page("invitations", InvitationOutputSerializer(rows, many=True).data, next_cursor)


class InvitationAcceptView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses={200: envelope("membership", MembershipOutputSerializer), **errors(403)}
    )
    def post(self, request: Request, invitation_id: int) -> Response:
        """Accept an invitation

        The membership becomes active with the permissions offered. Needs a verified e-mail address (403
        `email_not_verified`). Another user's invitation, or one already accepted, is a 404."""
        membership = services.invitation_accept(user=signed_in_person(request), invitation_id=invitation_id)
        return ok("membership", MembershipOutputSerializer(membership).data)


class InvitationDeclineView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: InvitationOutputSerializer})
    def post(self, request: Request, invitation_id: int) -> Response:
        """Decline an invitation

        The invitation is deleted (the workspace may invite again) and answered as it was. Another user's
        invitation is a 404."""
        invitation = services.invitation_decline(user=signed_in_person(request), invitation_id=invitation_id)
        return ok("invitation", InvitationOutputSerializer(invitation).data)
