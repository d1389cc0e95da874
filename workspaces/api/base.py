"""The base views every endpoint derives from: error envelope, idempotent POST, workspace scoping."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from workspaces.api import idempotency
from workspaces.api.permissions import WorkspaceAccess
from workspaces.authentication import ApiKeyPrincipal
from workspaces.errors import ApplicationError, NotFoundError
from workspaces.files import stored_files
from workspaces.models import Store, Workspace
from workspaces.selectors import store_get
from workspaces.tenancy import Access, principal_key
from workspaces.transactions import all_or_nothing


def request_principal(request: Request) -> str:
    user = request.user
    if isinstance(user, ApiKeyPrincipal):
        return principal_key(user=None, api_key=user.api_key)
    return principal_key(user=user, api_key=None)


class ApiView(APIView):
    """`api_family` picks the error envelope; `idempotent` turns on `Idempotency-Key` for POST."""

    api_family = "v1"
    idempotent = True
    # With an `Idempotency-Key`, the work and its stored answer are one transaction (section 2). A view whose work
    # is several transactions by design (a till's batch of sales, each its own: section 8d) sets this False: its
    # answer is stored after the work, and its writes must be exactly-once on their own (a unique reference).
    idempotent_in_one_transaction = True

    def dispatch(self, request, *args: Any, **kwargs: Any):
        # Files stored by the work stay only if it succeeded and committed (workspaces.files).
        with stored_files() as files:
            response = self._dispatch(request, *args, **kwargs)
            files.keep = 200 <= response.status_code < 300
        return response

    def _dispatch(self, request, *args: Any, **kwargs: Any):
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not self.idempotent or key is None:
            self._idempotency = None
            return super().dispatch(request, *args, **kwargs)
        self._idempotency = idempotency.Pending(key=idempotency.header_text(key).strip())
        if not self.idempotent_in_one_transaction:
            response = super().dispatch(request, *args, **kwargs)
            try:
                with transaction.atomic():
                    idempotency.finish(self._idempotency, self.request, response)
            except IntegrityError:
                pass  # a concurrent request under the key stored its answer first; this one is as true
            return response
        try:
            with all_or_nothing():  # any refusal rolls the work back (`idempotency.finish`)
                response = super().dispatch(request, *args, **kwargs)
                idempotency.finish(self._idempotency, self.request, response)
        except IntegrityError:
            # The same key committed by a concurrent request after this one looked (`idempotency._locked_record`):
            # this request's work is rolled back and the first one's answer replayed.
            try:
                replay = idempotency.replay_of(self._idempotency, self.request)
            except ApplicationError as exc:
                return self.finalize_response(self.request, self.handle_exception(exc))
            if replay is None:
                raise
            return replay
        return response

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self._idempotency is not None and request.user is not None:
            request.data  # noqa: B018 - parse within the limits first: a refused body is never fingerprinted
            idempotency.begin(self._idempotency, request, request_principal(request))

    def handle_exception(self, exc: Exception):
        if isinstance(exc, idempotency.Replay):
            return exc.response
        return super().handle_exception(exc)

    @staticmethod
    def validated(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any) -> dict[str, Any]:
        """Shape and types only: a 400 `validation_error` naming each bad field."""
        serializer = serializer_class(data=data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class WorkspaceView(ApiView):
    """A view under `/v1/workspace/:workspaceId/...` (or one that takes the workspace from the caller).

    `required_permissions` maps an HTTP method to the code it needs (missing or None: any member;
    `codes.OWNER`: the owner only).
    """

    permission_classes = [IsAuthenticated, WorkspaceAccess]
    required_permissions: dict[str, str | None] = {}
    access: Access
    workspace: Workspace

    def get_required_permission(self, request: Request) -> str | None:
        # HEAD runs the GET handler (Django answers it without the body): it needs what GET needs.
        method = "GET" if request.method == "HEAD" else request.method
        return self.required_permissions.get(method)

    def store_named(self, store_id: int | None) -> Store | None:
        """A store of this workspace named in the path or the body (None: not named); a foreign or unknown id
        is a 404."""
        if store_id is None:
            return None
        store = store_get(workspace=self.workspace, store_id=store_id)
        if store is None:
            raise NotFoundError(_("Store not found."))
        return store


def created(name: str, data: Any) -> Response:
    return Response({name: data}, status=201)


def ok(name: str, data: Any) -> Response:
    return Response({name: data})


def page(name: str, data: list[Any], next_cursor: str | None) -> Response:
    return Response({name: data, "nextCursor": next_cursor})


def no_content() -> Response:
    return Response(status=204)
