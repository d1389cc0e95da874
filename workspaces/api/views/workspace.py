"""The workspace, its staff, stores, clients and API keys (PRODUCT.md section 3)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from workspaces import codes, selectors, services
from workspaces.api.base import WorkspaceView, created, no_content, ok, page
from workspaces.api.pagination import paginate
from workspaces.api.serializers import (
    ApiKeyCreatedOutputSerializer,
    ApiKeyInputSerializer,
    ApiKeyOutputSerializer,
    ClientInputSerializer,
    ClientOutputSerializer,
    StaffCreateInputSerializer,
    StaffOutputSerializer,
    StaffUpdateInputSerializer,
    StoreInputSerializer,
    StoreOutputSerializer,
    WorkspaceOutputSerializer,
    WorkspaceUpdateInputSerializer,
)
from workspaces.tenancy import get_object_or_404


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
        workspace = services.workspace_update(workspace=self.workspace, access=self.access, data=data)
        return ok("workspace", WorkspaceOutputSerializer(workspace).data)


class StaffListView(WorkspaceView):
    required_permissions = {"GET": codes.OWNER, "POST": codes.OWNER}

    @extend_schema(responses={200: StaffOutputSerializer(many=True)})
    def get(self, request: Request, workspace_id: int) -> Response:
        """List the staff

        Staff memberships and invitations (`status`), newest first (the owner is not listed). Owner only."""
        rows, next_cursor = paginate(selectors.staff_list(workspace=self.workspace), request)
        return page("staff", StaffOutputSerializer(rows, many=True).data, next_cursor)

    @extend_schema(request=StaffCreateInputSerializer, responses={201: StaffOutputSerializer})
    def post(self, request: Request, workspace_id: int) -> Response:
        """Add a staff member

        A new e-mail creates the staff account with the password sent: `status: "active"` at once. An e-mail
        that already has an account makes an invitation (`status: "invited"`, `name` null; the name and password
        sent are not used) that grants nothing until its holder accepts it. An existing member or invitation is a
        409. Owner only."""
        data = self.validated(StaffCreateInputSerializer, request.data)
        membership = services.staff_create(
            workspace=self.workspace,
            access=self.access,
            email=data["email"],
            name=data["name"],
            password=data.get("password"),
            permissions=data["permissions"],
            store=self.store_named(data.get("store_id")),
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

        Permissions, default store and admin access belong to this workspace's membership (an invitation's too:
        the offer). `name` and `password` change the person's account only when they belong to this workspace
        alone, else (and always for an invitation) 409 `account_shared`. Owner only."""
        membership = self.get_membership(membership_id)
        data = self.validated(StaffUpdateInputSerializer, request.data, partial=True)
        if "store_id" in data:
            data["store"] = self.store_named(data.pop("store_id"))
        membership = services.staff_update(membership=membership, access=self.access, data=data)
        return ok("staff", StaffOutputSerializer(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, workspace_id: int, membership_id: int) -> Response:
        """Remove a staff member

        Their access to this workspace ends at once; an invitation is withdrawn. Owner only."""
        services.staff_remove(membership=self.get_membership(membership_id), access=self.access)
        return no_content()


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
            workspace=self.workspace,
            access=self.access,
            name=data["name"],
            code=data.get("code"),
            address=data["address"],
            national_address=data.get("national_address"),
        )
        return created("store", StoreOutputSerializer(store).data)


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
        client = services.client_create(workspace=self.workspace, access=self.access, data=data)
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
        client = services.client_update(client=client, access=self.access, data=data)
        return ok("client", ClientOutputSerializer(client).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, workspace_id: int, client_id: int) -> Response:
        """Delete a client

        A client that invoices refer to is a 409 `in_use`. Needs `clients.manage`."""
        services.client_delete(client=self.get_client(client_id), access=self.access)
        return no_content()


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
            workspace=self.workspace, access=self.access, name=data["name"]
        )
        return Response({"apiKey": ApiKeyOutputSerializer(api_key).data, "key": raw}, status=201)


class ApiKeyDetailView(WorkspaceView):
    required_permissions = {"DELETE": codes.OWNER}

    @extend_schema(responses={204: None})
    def delete(self, request: Request, workspace_id: int, api_key_id: int) -> Response:
        """Revoke an API key

        The key stops working at once. Owner only."""
        api_key = get_object_or_404(selectors.api_key_list(workspace=self.workspace), pk=api_key_id)
        services.api_key_revoke(api_key=api_key, access=self.access)
        return no_content()
