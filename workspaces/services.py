"""Writes for people, workspaces and access. Every service takes keyword-only arguments and returns the model."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch, get_md5_hash_password

from workspaces import codes
from workspaces.discounts import discount_value_validate
from workspaces.errors import ApplicationError, ConflictError, NotFoundError, ValidationFailed
from workspaces.models import ApiKey, Client, Membership, Store, User, Workspace, hash_api_key, new_api_key


def _unauthenticated(message: str) -> ApplicationError:
    return ApplicationError(message, code="not_authenticated", status=401)


def _validate_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed({"password": list(exc.messages)}) from exc


# --- Registration and tokens ---------------------------------------------------------------------------------


def tokens_for(*, user: User, workspace_id: int | None = None) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    if workspace_id is not None:
        refresh["workspace_id"] = workspace_id
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


@transaction.atomic
def user_register(
    *, email: str, password: str, name: str, workspace_name: str, currency: str, timezone_name: str
) -> tuple[User, Workspace]:
    """Creates the owner, the workspace and its first store, in one transaction."""
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ConflictError(_("An account with this e-mail already exists."), code="email_taken")
    _validate_password(password, User(email=email, name=name))
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, name=name)
    except IntegrityError as exc:  # a concurrent registration of the same e-mail
        raise ConflictError(_("An account with this e-mail already exists."), code="email_taken") from exc
    workspace = Workspace.objects.create(name=workspace_name, currency=currency, timezone=timezone_name)
    Store.objects.create(workspace=workspace, name=workspace_name)
    Membership.objects.create(workspace=workspace, user=user, role=Membership.Role.OWNER, admin_access=True)
    return user, workspace


def token_obtain(*, email: str, password: str, workspace_id: int | None) -> dict[str, str]:
    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None or not user.is_active or not user.check_password(password):
        raise _unauthenticated(_("No active account found with the given credentials."))
    if (
        workspace_id is not None
        and not Membership.objects.filter(user=user, workspace_id=workspace_id).exists()
    ):
        raise ApplicationError(
            _("You are not a member of this workspace."), code="permission_denied", status=403
        )
    return tokens_for(user=user, workspace_id=workspace_id)


@transaction.atomic
def token_refresh(*, refresh: str) -> dict[str, str]:
    """A new access token and a rotated refresh token; the one presented is blacklisted: it works once.

    Atomic under concurrency: the token's ledger row is locked before the blacklist is checked, so of concurrent
    refreshes of one token exactly one succeeds and the rest are 401. A token issued before the account's
    password last changed (its `hash_password` claim no longer matches) is 401 too.
    """
    try:
        token = RefreshToken(refresh)
    except TokenError as exc:
        raise _unauthenticated(_("Invalid or expired refresh token.")) from exc
    user = User.objects.filter(pk=token.get("user_id"), is_active=True).first()
    if user is None:
        raise _unauthenticated(_("No active account found for the given token."))
    if token.get(jwt_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password):
        raise _unauthenticated(_("The password has changed since this token was issued."))
    outstanding, _created = OutstandingToken.objects.get_or_create(
        jti=token[jwt_settings.JTI_CLAIM],
        defaults={"user": user, "token": str(token), "expires_at": datetime_from_epoch(token["exp"])},
    )
    outstanding = OutstandingToken.objects.select_for_update(of=("self",)).get(pk=outstanding.pk)
    if BlacklistedToken.objects.filter(token=outstanding).exists():
        raise _unauthenticated(_("Token is blacklisted"))
    claim = token.get("workspace_id")
    if claim is not None and not Membership.objects.filter(user=user, workspace_id=claim).exists():
        raise _unauthenticated(_("The membership of this token has been removed."))
    access = str(token.access_token)
    BlacklistedToken.objects.create(token=outstanding)
    token.set_jti()
    token.set_exp()
    token.set_iat()
    token.outstand()
    return {"access": access, "refresh": str(token)}


@transaction.atomic
def user_password_change(*, user: User, current_password: str, new_password: str) -> None:
    """400 on a wrong current password; from then on every refresh token issued before is refused (401) and
    every access token too (their `hash_password` claim no longer matches)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(current_password):
        raise ValidationFailed({"current_password": [_("The current password is not correct.")]})
    _validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])


# --- Workspace, staff, stores --------------------------------------------------------------------------------

WORKSPACE_FIELDS = (
    "name",
    "currency",
    "timezone",
    "legal_name",
    "vat_number",
    "suppliers_enabled",
    "allow_negative_stock",
    "prices_include_tax",
    "receipt_language",
)


def workspace_update(*, workspace: Workspace, data: dict[str, Any]) -> Workspace:
    changed = [name for name in WORKSPACE_FIELDS if name in data]
    for name in changed:
        setattr(workspace, name, data[name])
    if changed:
        workspace.save(update_fields=[*changed, "updated_at"])
    return workspace


def _validate_permissions(permissions: list[str]) -> list[str]:
    unknown = sorted(set(permissions) - set(codes.PERMISSION_CODES))
    if unknown:
        raise ValidationFailed(
            {"permissions": [_("Unknown permission codes: %(codes)s") % {"codes": ", ".join(unknown)}]}
        )
    return sorted(set(permissions))


@transaction.atomic
def staff_create(
    *,
    workspace: Workspace,
    email: str,
    name: str,
    password: str | None,
    permissions: list[str],
    store: Store | None,
    admin_access: bool,
) -> Membership:
    """Adds a member. An e-mail that already has a user adds that user (the password is ignored)."""
    permissions = _validate_permissions(permissions)
    email = email.strip().lower()
    user = User.objects.select_for_update().filter(email=email).first()
    if user is None:
        if not password:
            raise ValidationFailed({"password": [_("This field is required.")]})
        _validate_password(password, User(email=email, name=name))
        user = User.objects.create_user(email=email, password=password, name=name)
    elif Membership.objects.filter(workspace=workspace, user=user).exists():
        raise ConflictError(_("This person is already a member of the workspace."), code="already_member")
    try:
        with transaction.atomic():
            return Membership.objects.create(
                workspace=workspace,
                user=user,
                role=Membership.Role.STAFF,
                permissions=permissions,
                store=store,
                admin_access=admin_access,
            )
    except IntegrityError as exc:
        raise ConflictError(
            _("This person is already a member of the workspace."), code="already_member"
        ) from exc


@transaction.atomic
def staff_update(*, membership: Membership, data: dict[str, Any]) -> Membership:
    """Changes the membership (`permissions`, `store`, `admin_access`: this workspace's own). `name` and
    `password` change the global account, so only when its user belongs to this workspace alone: otherwise 409
    `account_shared` and nothing changes. No request of one workspace changes what another one sees."""
    user = User.objects.select_for_update().get(pk=membership.user_id)
    account_fields = [name for name in ("name", "password") if name in data]
    if account_fields and Membership.objects.filter(user=user).exclude(pk=membership.pk).exists():
        raise ConflictError(
            _(
                "This person's account is shared with another workspace: only they can change their %(fields)s."
            )
            % {"fields": ", ".join(account_fields)},
            code="account_shared",
        )
    fields = []
    if "permissions" in data:
        membership.permissions = _validate_permissions(data["permissions"])
        fields.append("permissions")
    if "store" in data:
        if data["store"] is not None and data["store"].workspace_id != membership.workspace_id:
            raise NotFoundError(_("Store not found."))
        membership.store = data["store"]
        fields.append("store")
    if "admin_access" in data:
        membership.admin_access = data["admin_access"]
        fields.append("admin_access")
    if "password" in data:
        _validate_password(data["password"], user)
        user.set_password(data["password"])
    if "name" in data:
        user.name = data["name"]
    if account_fields:
        user.save()
        membership.user = user
    if fields:
        membership.save(update_fields=[*fields, "updated_at"])
    return membership


def staff_remove(*, membership: Membership) -> None:
    """Access ends at once: every request re-reads the membership."""
    membership.delete()


def _store_code(code: str | None) -> str | None:
    """An optional store code: blank means none."""
    return (code or "").strip() or None


def store_code_validate(*, workspace: Workspace, code: str | None, store_id: int | None = None) -> None:
    """409 `store_code_taken` when another store of the workspace (not `store_id`) has this code. The database's
    unique constraint backs it against races."""
    code = _store_code(code)
    others = Store.objects.filter(workspace=workspace, code=code).exclude(pk=store_id)
    if code and others.exists():
        raise ConflictError(_("A store with this code already exists."), code="store_code_taken")


def _store_save(store: Store) -> Store:
    store_code_validate(workspace=store.workspace, code=store.code, store_id=store.pk)
    try:
        with transaction.atomic():
            store.save()
    except IntegrityError as exc:  # a concurrent write took the code between the check and the save
        raise ConflictError(_("A store with this code already exists."), code="store_code_taken") from exc
    return store


def store_create(*, workspace: Workspace, name: str, code: str | None, address: str) -> Store:
    return _store_save(Store(workspace=workspace, name=name, code=_store_code(code), address=address))


def store_update(*, store: Store, data: dict[str, Any]) -> Store:
    """Changes the fields present in `data` (name, code, address); a code stays unique in the workspace."""
    for name in ("name", "address"):
        if name in data:
            setattr(store, name, data[name] or "")
    if "code" in data:
        store.code = _store_code(data["code"])
    return _store_save(store)


# --- Clients -------------------------------------------------------------------------------------------------

CLIENT_FIELDS = ("name", "phone", "email", "tax_number")


def client_discount_validate(*, workspace: Workspace, type: str, value: Decimal) -> None:
    """The one discount rule (`workspaces.discounts`), in the workspace's currency."""
    discount_value_validate(
        type=type, value=value, currency=workspace.currency, field="pos_invoice_discount.value"
    )


def _apply_client_discount(*, client: Client, workspace: Workspace, discount: dict[str, Any] | None) -> None:
    """`None` removes the discount; a partial one (`{"active": false}`, `{}`) changes only what it names and
    keeps the rest of the client's current discount."""
    if discount is None:
        client.pos_discount_type = None
        client.pos_discount_value = None
        client.pos_discount_active = False
        return
    type_ = discount.get("type", client.pos_discount_type)
    value = discount.get("value", client.pos_discount_value)
    if type_ is None or value is None:
        missing = [name for name, given in (("type", type_), ("value", value)) if given is None]
        raise ValidationFailed(
            {f"pos_invoice_discount.{name}": [_("This field is required.")] for name in missing}
        )
    client_discount_validate(workspace=workspace, type=type_, value=value)
    had_discount = client.pos_discount_type is not None
    client.pos_discount_type = type_
    client.pos_discount_value = value
    client.pos_discount_active = discount.get("active", client.pos_discount_active if had_discount else True)


def client_create(*, workspace: Workspace, data: dict[str, Any]) -> Client:
    client = Client(workspace=workspace, **{name: data.get(name, "") for name in CLIENT_FIELDS})
    _apply_client_discount(client=client, workspace=workspace, discount=data.get("pos_invoice_discount"))
    client.save()
    return client


def client_update(*, client: Client, data: dict[str, Any]) -> Client:
    for name in CLIENT_FIELDS:
        if name in data:
            setattr(client, name, data[name])
    if "pos_invoice_discount" in data:
        _apply_client_discount(
            client=client, workspace=client.workspace, discount=data["pos_invoice_discount"]
        )
    client.save()
    return client


def client_delete(*, client: Client) -> None:
    """A client that documents refer to is protected: the API answers 409 `in_use`."""
    client.delete()


# --- API keys ------------------------------------------------------------------------------------------------


def api_key_create(*, workspace: Workspace, name: str, created_by: User | None) -> tuple[ApiKey, str]:
    """The raw key is returned once; only its SHA-256 is stored."""
    raw = new_api_key()
    api_key = ApiKey.objects.create(
        workspace=workspace, name=name, prefix=raw[:8], key_hash=hash_api_key(raw), created_by=created_by
    )
    return api_key, raw


def api_key_revoke(*, api_key: ApiKey) -> None:
    """Revoked keys are kept (documents name their creator) but authenticate no more."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
