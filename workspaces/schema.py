"""drf-spectacular descriptions of our authentication classes (loaded by WorkspacesConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


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
