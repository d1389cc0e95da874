"""Section 3 endpoints: auth, me, workspace, staff, stores, clients, API keys. Views parse, authorise, call one
service or selector, and render."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from workspaces import codes, selectors, services
from workspaces.api.base import ApiView, WorkspaceView, created, no_content, ok, page
from workspaces.api.docs import errors
from workspaces.api.pagination import paginate
from workspaces.api.serializers import (
    ApiKeyCreatedOutputSerializer,
    ApiKeyInputSerializer,
    ApiKeyOutputSerializer,
    ClientInputSerializer,
    ClientOutputSerializer,
    MembershipOutputSerializer,
    MeOutputSerializer,
    PasswordChangeInputSerializer,
    RefreshInputSerializer,
    RegisteredOutputSerializer,
    RegisterInputSerializer,
    StaffCreateInputSerializer,
    StaffOutputSerializer,
    StaffUpdateInputSerializer,
    StoreInputSerializer,
    StoreOutputSerializer,
    TokenInputSerializer,
    TokenPairOutputSerializer,
    UserOutputSerializer,
    WorkspaceOutputSerializer,
    WorkspaceUpdateInputSerializer,
)
from workspaces.authentication import ApiKeyPrincipal
from workspaces.models import Store, Workspace
from workspaces.tenancy import get_object_or_404, permission_denied


def store_in(workspace: Workspace, store_id: int | None) -> Store | None:
    """A store of this workspace named in a body: a foreign or unknown id is a 404."""
    if store_id is None:
        return None
    return get_object_or_404(selectors.store_list(workspace=workspace), pk=store_id)


# --- Auth ----------------------------------------------------------------------------------------------------


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


# --- Workspace -----------------------------------------------------------------------------------------------


class WorkspaceDetailView(WorkspaceView):
    required_permissions = {"PATCH": codes.OWNER}

    @extend_schema(responses={200: WorkspaceOutputSerializer})
    def get(self, request: Request, workspace_id: int) -> Response:
        """Get the workspace

        Its name, currency, time zone, legal name, VAT number and switches. Any member may read it."""
        return ok("workspace", WorkspaceOutputSerializer(self.workspace).data)

    @extend_schema(request=WorkspaceUpdateInputSerializer, responses={200: WorkspaceOutputSerializer})
    def patch(self, request: Request, workspace_id: int) -> Response:
        """Update the workspace

        Changes the fields sent. Only the owner may."""
        data = self.validated(WorkspaceUpdateInputSerializer, request.data, partial=True)
        workspace = services.workspace_update(workspace=self.workspace, data=data)
        return ok("workspace", WorkspaceOutputSerializer(workspace).data)


class StaffListView(WorkspaceView):
    required_permissions = {"GET": codes.OWNER, "POST": codes.OWNER}

    @extend_schema(responses={200: StaffOutputSerializer(many=True)})
    def get(self, request: Request, workspace_id: int) -> Response:
        """List the staff

        Staff memberships, newest first (the owner is not listed). Owner only."""
        rows, next_cursor = paginate(selectors.staff_list(workspace=self.workspace), request)
        return page("staff", StaffOutputSerializer(rows, many=True).data, next_cursor)

    @extend_schema(request=StaffCreateInputSerializer, responses={201: StaffOutputSerializer})
    def post(self, request: Request, workspace_id: int) -> Response:
        """Add a staff member

        An e-mail that already has an account adds that person (the name and password sent are ignored); an
        existing member is a 409. Owner only."""
        data = self.validated(StaffCreateInputSerializer, request.data)
        membership = services.staff_create(
            workspace=self.workspace,
            email=data["email"],
            name=data["name"],
            password=data.get("password"),
            permissions=data["permissions"],
            store=store_in(self.workspace, data.get("store_id")),
            admin_access=data["admin_access"],
        )
        return created("staff", StaffOutputSerializer(membership).data)


class StaffDetailView(WorkspaceView):
    required_permissions = {"PATCH": codes.OWNER, "DELETE": codes.OWNER}

    def get_membership(self, membership_id: int):
        return get_object_or_404(selectors.staff_list(workspace=self.workspace), pk=membership_id)

    @extend_schema(request=StaffUpdateInputSerializer, responses={200: StaffOutputSerializer})
    def patch(self, request: Request, workspace_id: int, membership_id: int) -> Response:
        """Change a staff member

        Permissions, default store and admin access belong to this workspace's membership. `name` and
        `password` change the person's account only when they belong to this workspace alone, else 409
        `account_shared`. Owner only."""
        membership = self.get_membership(membership_id)
        data = self.validated(StaffUpdateInputSerializer, request.data, partial=True)
        if "store_id" in data:
            data["store"] = store_in(self.workspace, data.pop("store_id"))
        membership = services.staff_update(membership=membership, data=data)
        return ok("staff", StaffOutputSerializer(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, workspace_id: int, membership_id: int) -> Response:
        """Remove a staff member

        Their access to this workspace ends at once. Owner only."""
        services.staff_remove(membership=self.get_membership(membership_id))
        return no_content()


# --- Stores --------------------------------------------------------------------------------------------------


class StoreListView(WorkspaceView):
    required_permissions = {"POST": codes.OWNER}

    @extend_schema(responses={200: StoreOutputSerializer(many=True)})
    def get(self, request: Request, workspace_id: int) -> Response:
        """List the stores

        Any member may read them."""
        rows, next_cursor = paginate(selectors.store_list(workspace=self.workspace), request)
        return page("stores", StoreOutputSerializer(rows, many=True).data, next_cursor)

    @extend_schema(request=StoreInputSerializer, responses={201: StoreOutputSerializer})
    def post(self, request: Request, workspace_id: int) -> Response:
        """Create a store

        A `code`, when given, is unique in the workspace (409). Owner only."""
        data = self.validated(StoreInputSerializer, request.data)
        store = services.store_create(
            workspace=self.workspace, name=data["name"], code=data.get("code"), address=data["address"]
        )
        return created("store", StoreOutputSerializer(store).data)


# --- Clients -------------------------------------------------------------------------------------------------


class ClientListView(WorkspaceView):
    required_permissions = {"POST": codes.CLIENTS_MANAGE}

    @extend_schema(responses={200: ClientOutputSerializer(many=True)})
    def get(self, request: Request, workspace_id: int) -> Response:
        """List the clients

        Newest first; any member may read them."""
        rows, next_cursor = paginate(selectors.client_list(workspace=self.workspace), request)
        return page("clients", ClientOutputSerializer(rows, many=True).data, next_cursor)

    @extend_schema(
        request=ClientInputSerializer,
        responses={201: ClientOutputSerializer},
        examples=[
            OpenApiExample(
                "Client with a POS discount",
                value={
                    "name": "مطعم النخيل",
                    "phone": "+966500000000",
                    "posInvoiceDiscount": {"type": "percent", "value": 10, "active": True},
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, workspace_id: int) -> Response:
        """Create a client

        With an optional automatic POS discount (`posInvoiceDiscount`). Needs `clients.manage`."""
        data = self.validated(ClientInputSerializer, request.data)
        client = services.client_create(workspace=self.workspace, data=data)
        return created("client", ClientOutputSerializer(client).data)


class ClientDetailView(WorkspaceView):
    required_permissions = {"PATCH": codes.CLIENTS_MANAGE, "DELETE": codes.CLIENTS_MANAGE}

    def get_client(self, client_id: int):
        return get_object_or_404(
            selectors.client_list(workspace=self.workspace).select_related("workspace"), pk=client_id
        )

    @extend_schema(responses={200: ClientOutputSerializer})
    def get(self, request: Request, workspace_id: int, client_id: int) -> Response:
        """Get a client

        Any member may read it."""
        return ok("client", ClientOutputSerializer(self.get_client(client_id)).data)

    @extend_schema(request=ClientInputSerializer, responses={200: ClientOutputSerializer})
    def patch(self, request: Request, workspace_id: int, client_id: int) -> Response:
        """Update a client

        Changes the fields sent; a partial `posInvoiceDiscount` changes only what it names. Needs
        `clients.manage`."""
        client = self.get_client(client_id)
        data = self.validated(ClientInputSerializer, request.data, partial=True)
        client = services.client_update(client=client, data=data)
        return ok("client", ClientOutputSerializer(client).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, workspace_id: int, client_id: int) -> Response:
        """Delete a client

        A client that invoices refer to is a 409 `in_use`. Needs `clients.manage`."""
        services.client_delete(client=self.get_client(client_id))
        return no_content()


# --- API keys ------------------------------------------------------------------------------------------------


class ApiKeyListView(WorkspaceView):
    required_permissions = {"GET": codes.OWNER, "POST": codes.OWNER}
    idempotent = False  # the answer carries the key itself

    @extend_schema(responses={200: ApiKeyOutputSerializer(many=True)})
    def get(self, request: Request, workspace_id: int) -> Response:
        """List the API keys

        Active keys, without their secret. Owner only."""
        rows, next_cursor = paginate(selectors.api_key_list(workspace=self.workspace), request)
        return page("apiKeys", ApiKeyOutputSerializer(rows, many=True).data, next_cursor)

    @extend_schema(request=ApiKeyInputSerializer, responses={201: ApiKeyCreatedOutputSerializer})
    def post(self, request: Request, workspace_id: int) -> Response:
        """Create an API key

        The key is shown once in `key` and stored hashed. Owner only."""
        data = self.validated(ApiKeyInputSerializer, request.data)
        api_key, raw = services.api_key_create(
            workspace=self.workspace, name=data["name"], created_by=self.access.user
        )
        return Response({"apiKey": ApiKeyOutputSerializer(api_key).data, "key": raw}, status=201)


class ApiKeyDetailView(WorkspaceView):
    required_permissions = {"DELETE": codes.OWNER}

    @extend_schema(responses={204: None})
    def delete(self, request: Request, workspace_id: int, api_key_id: int) -> Response:
        """Revoke an API key

        The key stops working at once. Owner only."""
        api_key = get_object_or_404(selectors.api_key_list(workspace=self.workspace), pk=api_key_id)
        services.api_key_revoke(api_key=api_key)
        return no_content()
