"""Registration, tokens and the signed-in user (PRODUCT.md section 3)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from workspaces import codes, selectors, services
from workspaces.api.base import ApiView, no_content
from workspaces.api.docs import errors
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
    WorkspaceOutputSerializer,
)
from workspaces.authentication import ApiKeyPrincipal
from workspaces.tenancy import permission_denied


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

        Creates the owner's account, the workspace and its first store, and answers with tokens. An e-mail that
        already has an account is a 409."""
        data = self.validated(RegisterInputSerializer, request.data)
        user, workspace = services.user_register(
            email=data["email"],
            password=data["password"],
            name=data["name"],
            workspace_name=data["workspaceName"],
            currency=data["currency"],
            timezone_name=data["timezone"],
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
        request=TokenInputSerializer, responses={200: TokenPairOutputSerializer, **errors(401, public=True)}
    )
    def post(self, request: Request) -> Response:
        """Sign in

        Exchanges an e-mail and a password for an access and a refresh token. With `workspaceId`, the tokens are
        valid on that workspace only. Wrong credentials are a 401."""
        data = self.validated(TokenInputSerializer, request.data)
        return Response(
            services.token_obtain(
                email=data["email"], password=data["password"], workspace_id=data.get("workspaceId")
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


class MeView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeOutputSerializer})
    def get(self, request: Request) -> Response:
        """Who am I

        The signed-in user (null for an API key) and the workspaces they belong to, with their role and the
        permission codes they hold there."""
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
        if isinstance(request.user, ApiKeyPrincipal):
            raise permission_denied(codes.OWNER)
        data = self.validated(PasswordChangeInputSerializer, request.data)
        services.user_password_change(
            user=request.user, current_password=data["current_password"], new_password=data["new_password"]
        )
        return no_content()
