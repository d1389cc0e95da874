"""Registration, tokens and the signed-in user (PRODUCT.md section 3)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from workspaces import codes, login_throttle, selectors, services
from workspaces.api.base import ApiView, no_content, ok
from workspaces.api.docs import envelope, errors
from workspaces.api.serializers import (
    ApiKeyOutputSerializer,
    MembershipOutputSerializer,
    MeOutputSerializer,
    PasswordChangeInputSerializer,
    RefreshInputSerializer,
    RegisteredOutputSerializer,
    RegisterInputSerializer,
    TokenInputSerializer,
    TokenPairOutputSerializer,
    UserOutputSerializer,
    VerifyEmailInputSerializer,
    WorkspaceOutputSerializer,
)
from workspaces.authentication import ApiKeyPrincipal
from workspaces.errors import ApplicationError
from workspaces.models import User


def verification_base_url(request: Request) -> str:
    """Where the links in e-mails point: `PUBLIC_BASE_URL`, else this request's own host (ALLOWED_HOSTS checked
    it)."""
    return settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")


def signed_in_person(request: Request) -> User:
    """The user behind the request: an API key is no person (403)."""
    if isinstance(request.user, ApiKeyPrincipal):
        raise ApplicationError(
            _("This needs a signed-in person, not an API key."), code="permission_denied", status=403
        )
    return request.user


class RegisterView(ApiView):
    authentication_classes = []
    permission_classes = [AllowAny]
    idempotent = False

    @extend_schema(
        request=RegisterInputSerializer,
        examples=[
            OpenApiExample(
                "Register",
                value={
                    "email": "owner@example.com",
                    "password": "s3cure-pass!",
                    "name": "سارة",
                    "workspaceName": "مقهى الياسمين",
                },
                request_only=True,
            )
        ],
        responses={201: RegisteredOutputSerializer, **errors(409, public=True)},
    )
    def post(self, request: Request) -> Response:
        """Register an owner and a workspace

        Creates the owner's account, the workspace and its first store, answers with tokens, and sends the e-mail
        address a verification link (`emailVerified` is false until it is opened). An e-mail that already has an
        account is a 409."""
        data = self.validated(RegisterInputSerializer, request.data)
        user, workspace = services.user_register(
            email=data["email"],
            password=data["password"],
            name=data["name"],
            workspace_name=data["workspaceName"],
            currency=data["currency"],
            timezone_name=data["timezone"],
            verification_base_url=verification_base_url(request),
        )
        body = {
            "user": UserOutputSerializer(user).data,
            "workspace": WorkspaceOutputSerializer(workspace).data,
            **services.tokens_for(user=user),
        }
        return Response(body, status=201)


class TokenView(ApiView):
    authentication_classes = []
    permission_classes = [AllowAny]
    idempotent = False

    @extend_schema(
        request=TokenInputSerializer,
        responses={200: TokenPairOutputSerializer, **errors(401, 403, 429, public=True)},
    )
    def post(self, request: Request) -> Response:
        """Sign in

        Exchanges an e-mail and a password for an access and a refresh token. With `workspaceId`, the tokens are
        valid on that workspace only (403 for a workspace the account is no member of). Wrong credentials are a
        401; after 10 failures in 15 minutes for the account or from the client's address, every attempt is a
        429 `too_many_attempts` (the right password too) until `Retry-After` seconds have passed."""
        data = self.validated(TokenInputSerializer, request.data)
        return Response(
            services.token_obtain(
                email=data["email"],
                password=data["password"],
                workspace_id=data.get("workspaceId"),
                client_address=login_throttle.client_address(request.META),
            )
        )


class TokenRefreshView(ApiView):
    authentication_classes = []
    permission_classes = [AllowAny]
    idempotent = False

    @extend_schema(
        request=RefreshInputSerializer, responses={200: TokenPairOutputSerializer, **errors(401, public=True)}
    )
    def post(self, request: Request) -> Response:
        """Refresh the tokens

        A new access token and a new refresh token; the refresh token sent works once. A used, expired or revoked
        refresh token, or one issued before the password changed, is a 401."""
        data = self.validated(RefreshInputSerializer, request.data)
        return Response(services.token_refresh(refresh=data["refresh"]))


class VerifyEmailView(ApiView):
    authentication_classes = []
    permission_classes = [AllowAny]
    idempotent = False

    @extend_schema(
        request=VerifyEmailInputSerializer,
        examples=[
            OpenApiExample(
                "The token of the e-mailed link",
                value={"token": "eyJ1IjoxNSwicyI6IjNmMmEifQ:1tQ8xS:Jx3k0Q9Zl2n8pUq1vV5bWc7dE4fG6hH"},
                request_only=True,
            )
        ],
        responses={200: envelope("user", UserOutputSerializer), **errors(400, public=True)},
    )
    def post(self, request: Request) -> Response:
        """Verify an e-mail address

        The token of the link sent by e-mail (the link itself opens a page with a button that posts it). Answers
        the user with `emailVerified: true`. A bad, used or week-old token is a 400 on `token`."""
        data = self.validated(VerifyEmailInputSerializer, request.data)
        user = services.email_verify(token=data["token"])
        return ok("user", UserOutputSerializer(user).data)


class MeEmailVerificationView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None, **errors(409)})
    def post(self, request: Request) -> Response:
        """Send my verification link again

        A new link to the signed-in user's address (good for a week). An address already verified is a 409
        `email_already_verified`; an API key is a 403."""
        services.email_verification_resend(
            user=signed_in_person(request), verification_base_url=verification_base_url(request)
        )
        return no_content()


class MeView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeOutputSerializer})
    def get(self, request: Request) -> Response:
        """Who am I

        The signed-in user (null for an API key) and the workspaces they belong to, with their role and the
        permission codes they hold there. Invitations not yet accepted are not memberships: see
        `/v1/me/invitations`."""
        if isinstance(request.user, ApiKeyPrincipal):
            api_key = request.user.api_key
            return Response(
                {
                    "user": None,
                    "apiKey": ApiKeyOutputSerializer(api_key).data,
                    "memberships": [
                        {
                            "workspaceId": str(api_key.workspace_id),
                            "role": "apiKey",
                            "permissions": list(codes.PERMISSION_CODES),
                        }
                    ],
                }
            )
        memberships = selectors.user_memberships(user=request.user)
        return Response(
            {
                "user": UserOutputSerializer(request.user).data,
                "memberships": MembershipOutputSerializer(memberships, many=True).data,
            }
        )


class MePasswordView(ApiView):
    permission_classes = [IsAuthenticated]
    idempotent = False  # the body carries passwords: nothing of it is stored

    @extend_schema(
        summary="Change my password",
        description="Changes the signed-in user's password. Every refresh token issued before is refused from "
        "then on (401), and so is every access token.",
        request=PasswordChangeInputSerializer,
        responses={204: None, **errors(400)},
    )
    def post(self, request: Request) -> Response:
        """Change my password

        Every refresh and access token issued before is refused from then on (401). A wrong `currentPassword`
        is a 400."""
        user = signed_in_person(request)
        data = self.validated(PasswordChangeInputSerializer, request.data)
        services.user_password_change(
            user=user, current_password=data["current_password"], new_password=data["new_password"]
        )
        return no_content()
