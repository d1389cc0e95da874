"""The workspace, its stores, clients and API keys. Every write checks the acting `Access` itself."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workspaces import codes
from workspaces.discounts import discount_value_validate
from workspaces.errors import ConflictError, ValidationFailed
from workspaces.models import ApiKey, Client, Store, Workspace, hash_api_key, new_api_key
from workspaces.tenancy import Access

WORKSPACE_FIELDS = (
    "name",
    "currency",
    "timezone",
    "legal_name",
    "vat_number",
    "cr_number",
    "suppliers_enabled",
    "allow_negative_stock",
    "prices_include_tax",
    "receipt_language",
)


def workspace_update(*, workspace: Workspace, access: Access, data: dict[str, Any]) -> Workspace:
    """The owner changes the fields present in `data`."""
    access.require(codes.OWNER, workspace_id=workspace.pk)
    changed = [name for name in WORKSPACE_FIELDS if name in data]
    for name in changed:
        setattr(workspace, name, data[name])
    if changed:
        workspace.save(update_fields=[*changed, "updated_at"])
    return workspace


# --- Stores --------------------------------------------------------------------------------------------------


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


NATIONAL_ADDRESS_FIELDS = ("street", "buildingNumber", "district", "city", "postalCode", "shortAddress")


def _national_address(address: dict[str, Any] | None) -> dict[str, str]:
    """The Saudi national address ZATCA's documents carry: each part a trimmed string ("" where not given)."""
    address = address or {}
    return {name: str(address.get(name) or "").strip() for name in NATIONAL_ADDRESS_FIELDS}


def store_create(
    *,
    workspace: Workspace,
    access: Access,
    name: str,
    code: str | None,
    address: str,
    national_address: dict[str, Any] | None = None,
) -> Store:
    """The owner adds a store; a code stays unique in the workspace."""
    access.require(codes.OWNER, workspace_id=workspace.pk)
    store = Store(
        workspace=workspace,
        name=name,
        code=_store_code(code),
        address=address,
        national_address=_national_address(national_address),
    )
    return _store_save(store)


def store_update(*, store: Store, access: Access, data: dict[str, Any]) -> Store:
    """The owner changes the fields present in `data` (name, code, address, national_address: the parts given
    replace the stored ones); a code stays unique."""
    access.require(codes.OWNER, workspace_id=store.workspace_id)
    for name in ("name", "address"):
        if name in data:
            setattr(store, name, data[name] or "")
    if "national_address" in data:
        store.national_address = _national_address(
            {**(store.national_address or {}), **(data["national_address"] or {})}
        )
    if "code" in data:
        store.code = _store_code(data["code"])
    return _store_save(store)


# --- Clients -------------------------------------------------------------------------------------------------

CLIENT_FIELDS = ("name", "phone", "email", "tax_number", "cr_number")
CLIENT_ADDRESS_FIELDS = ("street", "buildingNumber", "district", "city", "postalCode", "countryCode")


def _client_address(address: dict[str, Any] | None, current: dict[str, Any] | None = None) -> dict[str, str]:
    """A buyer's structured address (section 8c): the parts given replace the current ones; `countryCode` is
    ISO 3166 alpha-2, `SA` by default."""
    merged = {**(current or {}), **(address or {})}
    parts = {name: str(merged.get(name) or "").strip() for name in CLIENT_ADDRESS_FIELDS}
    parts["countryCode"] = (parts["countryCode"] or "SA").upper()
    return parts


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


def client_create(*, workspace: Workspace, access: Access, data: dict[str, Any]) -> Client:
    """Needs `clients.manage`."""
    access.require(codes.CLIENTS_MANAGE, workspace_id=workspace.pk)
    client = Client(workspace=workspace, **{name: data.get(name, "") for name in CLIENT_FIELDS})
    client.address = _client_address(data.get("address"))
    _apply_client_discount(client=client, workspace=workspace, discount=data.get("pos_invoice_discount"))
    client.save()
    return client


def client_update(*, client: Client, access: Access, data: dict[str, Any]) -> Client:
    """Needs `clients.manage`; a partial `pos_invoice_discount` changes only what it names."""
    access.require(codes.CLIENTS_MANAGE, workspace_id=client.workspace_id)
    for name in CLIENT_FIELDS:
        if name in data:
            setattr(client, name, data[name])
    if "address" in data:
        client.address = _client_address(data["address"], client.address)
    if "pos_invoice_discount" in data:
        _apply_client_discount(
            client=client, workspace=access.workspace, discount=data["pos_invoice_discount"]
        )
    client.save()
    return client


def client_delete(*, client: Client, access: Access) -> None:
    """Needs `clients.manage`. A client that documents refer to is protected: the API answers 409 `in_use`."""
    access.require(codes.CLIENTS_MANAGE, workspace_id=client.workspace_id)
    client.delete()


# --- API keys ------------------------------------------------------------------------------------------------


def api_key_create(*, workspace: Workspace, access: Access, name: str) -> tuple[ApiKey, str]:
    """The owner makes a key; the raw key is returned once, only its SHA-256 is stored."""
    access.require(codes.OWNER, workspace_id=workspace.pk)
    raw = new_api_key()
    api_key = ApiKey.objects.create(
        workspace=workspace, name=name, prefix=raw[:8], key_hash=hash_api_key(raw), created_by=access.user
    )
    return api_key, raw


def api_key_revoke(*, api_key: ApiKey, access: Access) -> None:
    """The owner revokes a key. Revoked keys are kept (documents name their creator) but authenticate no more."""
    access.require(codes.OWNER, workspace_id=api_key.workspace_id)
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
