"""drf-spectacular descriptions of our authentication classes and of decimal input (loaded by
WorkspacesConfig.ready)."""

from decimal import Decimal

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from rest_framework.fields import EmailField


class JWTScheme(OpenApiAuthenticationExtension):
    target_class = "workspaces.authentication.JWTAuthentication"
    name = "jwt"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "workspaces.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "APIKEY",
            "description": "A workspace API key (`sk_...`), also accepted as `Authorization: Bearer sk_...`.",
        }


class AccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = "workspaces.authentication.AccessTokenHeaderAuthentication"
    name = "accessToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "accessToken",
            "description": "A JWT access token or an API key.",
        }


class DecimalPlacesExtension(OpenApiSerializerFieldExtension):
    """A decimal in a request has at most its field's decimal places (more is a 400): `multipleOf` says so, so a
    client (or a test generator) writes `0.125`, never `0.1250001`. Amounts are declared with the finest minor unit
    of any currency (3 places); the workspace's (or the api2 invoice's) currency may allow fewer."""

    target_class = "rest_framework.fields.DecimalField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        places = self.target.decimal_places
        if direction == "request" and places is not None and schema.get("type") == "number":
            schema["multipleOf"] = float(Decimal(1).scaleb(-places))
        return schema


# Python's whitespace (what `str.strip` removes) beyond what `\s` means to some regular-expression engines.
_SPACE = r"\s\x1c-\x1f\x85"
# Django's EmailValidator asks more than the `email` format: a domain whose last label is 2 to 63 letters (or an
# IDN `xn--` label), or `localhost`.
_EMAIL = r"^[^@\s\x00]+@(?:[^@\s\x00]+\.(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9]{1,59})|localhost)$"


class TextExtension(OpenApiSerializerFieldExtension):
    """Text in a request says what DRF refuses in it: a NUL character anywhere (`Null characters are not
    allowed.`), and, where blank is refused and the text is trimmed, a text of spaces only; an e-mail address,
    what Django's validator refuses beyond the `email` format."""

    target_class = "rest_framework.fields.CharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction != "request" or schema.get("type") != "string" or "pattern" in schema:
            return schema
        if isinstance(self.target, EmailField):
            schema["pattern"] = _EMAIL
        elif self.target.trim_whitespace and not self.target.allow_blank:
            schema["pattern"] = rf"^[^\x00]*[^{_SPACE}\x00][^\x00]*$"
        else:
            schema["pattern"] = r"^[^\x00]*$"
        return schema
