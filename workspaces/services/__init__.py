"""Writes for people, workspaces and access. Every service takes keyword-only arguments and returns the model;
every write on a workspace takes the acting `Access` and checks its permission itself."""

from workspaces.services.accounts import (
    email_verification_resend,
    email_verify,
    token_obtain,
    token_refresh,
    tokens_for,
    user_password_change,
    user_register,
)
from workspaces.services.common import password_validate
from workspaces.services.staff import (
    invitation_accept,
    invitation_decline,
    staff_create,
    staff_remove,
    staff_update,
)
from workspaces.services.workspace import (
    CLIENT_FIELDS,
    WORKSPACE_FIELDS,
    api_key_create,
    api_key_revoke,
    client_create,
    client_delete,
    client_discount_validate,
    client_update,
    store_code_validate,
    store_create,
    store_update,
    workspace_update,
)

__all__ = [
    "CLIENT_FIELDS",
    "WORKSPACE_FIELDS",
    "api_key_create",
    "api_key_revoke",
    "client_create",
    "client_delete",
    "client_discount_validate",
    "client_update",
    "email_verification_resend",
    "email_verify",
    "invitation_accept",
    "invitation_decline",
    "password_validate",
    "staff_create",
    "staff_remove",
    "staff_update",
    "store_code_validate",
    "store_create",
    "store_update",
    "token_obtain",
    "token_refresh",
    "tokens_for",
    "user_password_change",
    "user_register",
    "workspace_update",
]
