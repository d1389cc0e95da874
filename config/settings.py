"""Settings, all from the environment (12-factor).

Development (`make run`) sets DEBUG=1 and may leave the secrets unset; with DEBUG off, DJANGO_SECRET_KEY and
JWT_SIGNING_KEY are required and the secure defaults below apply.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")


def secret(name: str, dev_default: str) -> str:
    """From the environment. Without it: a fixed key under DEBUG, else a random one for this process only, so
    management commands run anywhere; the WSGI/ASGI entry points refuse to serve without the real secrets."""
    value = os.environ.get(name)
    if value:
        return value
    return dev_default if DEBUG else secrets.token_urlsafe(50)


SECRET_KEY = secret("DJANGO_SECRET_KEY", "dev-only-insecure-secret-key")
JWT_SIGNING_KEY = secret("JWT_SIGNING_KEY", "dev-only-insecure-jwt-signing-key-0123456789")
REQUIRED_PRODUCTION_SECRETS = ("DJANGO_SECRET_KEY", "JWT_SIGNING_KEY")


def require_production_secrets() -> None:
    if DEBUG:
        return
    missing = [name for name in REQUIRED_PRODUCTION_SECRETS if not os.environ.get(name)]
    if missing:
        raise ImproperlyConfigured(f"{', '.join(missing)} must be set when DEBUG is off")


ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "workspaces.admin_config.BackOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "workspaces",
    "invoicing",
    "pos",
    "suppliers",
    "orders",
]

MIDDLEWARE = [
    "workspaces.api.families.DatabaseUnavailableMiddleware",
    "workspaces.api.families.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "workspaces.routing.RoutingMiddleware",  # the replica's reads (section 11); nothing without a replica
    "workspaces.middleware.AdminTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "config.urls.csrf_failure"  # JSON in the family's envelope on API paths
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------------------------
# SQLite is the embedded default: IMMEDIATE transactions, WAL and a 20 s timeout make several terminals queue
# instead of failing with "database is locked". PostgreSQL (psycopg 3) through DATABASE_URL in production and CI.
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
DATABASE_URL = os.environ.get("DATABASE_URL")
# A connection lives 60 s across requests. It is not pinged before each request (`conn_health_checks`: a round
# trip per request): after a database restart each worker's first query fails, that request answers 503 with
# Retry-After (workspaces.api.families) and the broken connection is dropped; DATABASE_HEALTH_CHECKS=1 pings instead.
# Parameters are bound by the server (psycopg's server-side binding): a statement run twice on a connection is
# prepared there, so PostgreSQL stops parsing and planning the same POS statements on every request.
# DATABASE_SERVER_SIDE_BINDING=0 binds them in the client (behind a pooler that cannot keep prepared statements).
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=60,
            conn_health_checks=os.environ.get("DATABASE_HEALTH_CHECKS", "0") == "1",
        )
    }
    if (
        DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
        and os.environ.get("DATABASE_SERVER_SIDE_BINDING", "1") == "1"
    ):
        # Django turns psycopg's prepared statements off (`prepare_threshold`: None); prepared from the 2nd run,
        # psycopg keeps the 100 most used per connection.
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
    # Behind pgbouncer in transaction mode (PRODUCT.md section 11; DATABASE_POOLER=transaction), consecutive
    # transactions of one connection may run on different server connections: no named prepared statements (the
    # pooler of Debian 12 cannot keep them) and no server-side cursors (`.iterator()` reads in one transaction's
    # fetches instead). Nothing else is session state: advisory locks are transaction-scoped, nothing is SET.
    DATABASE_POOLER = os.environ.get("DATABASE_POOLER", "")
    if DATABASE_POOLER == "transaction":
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
    # A streaming replica for the reads that tolerate a moment's lag (lists, reports, exports, the admin's lists
    # and dashboard), chosen by `workspaces.routing`; every write, every locked read, every read of a request that
    # wrote, and of a client within DATABASE_READ_YOUR_WRITES_SECONDS of its last write, goes to the primary. In
    # tests the replica is the default database itself (a mirror).
    DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL")
    if DATABASE_REPLICA_URL:
        DATABASES["replica"] = {
            **dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60),
            # A replica that is down is given up on at once: its reads go to the primary (workspaces.routing).
            "OPTIONS": {**DATABASES["default"].get("OPTIONS", {}), "connect_timeout": 2},
            "DISABLE_SERVER_SIDE_CURSORS": DATABASES["default"].get("DISABLE_SERVER_SIDE_CURSORS", False),
            "TEST": {"MIRROR": "default"},
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASE_REPLICA_READS = "replica" in DATABASES  # the router's switch (the test settings turn it off)
# Without a replica, every query goes to the default database.
DATABASE_ROUTERS = ["workspaces.routing.PrimaryReplicaRouter"]
DATABASE_READ_YOUR_WRITES_SECONDS = float(os.environ.get("DATABASE_READ_YOUR_WRITES_SECONDS", "5"))

# --- Cache ---------------------------------------------------------------------------------------------------
# Shared by every worker on every machine: Redis where REDIS_URL is set (Django's own backend), else a table of
# the database (`manage.py createcachetable`, run by `make run`, `deploy/up` and the test runner).
REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache_entries"}
    }

AUTH_USER_MODEL = "workspaces.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "workspaces.passwords.NotOnlyWhitespaceValidator"},
]

# --- Language and time ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = "config.formats"  # `.` and `,` in Arabic too (config/formats/ar/formats.py)
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static and media ----------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("DEFAULT_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads (PRODUCT.md section 6, "Images"): what a workspace's stored files may add up to (413 `quota_exceeded`
# beyond it); with S3 (django-storages) the file view may redirect members to a presigned URL valid this many
# seconds instead of streaming the file (0, the default: every storage streams through the view).
UPLOAD_QUOTA_BYTES = int(os.environ.get("UPLOAD_QUOTA_BYTES", str(1024**3)))
UPLOAD_PRESIGNED_URL_SECONDS = int(os.environ.get("UPLOAD_PRESIGNED_URL_SECONDS", "0"))
# Object storage (PRODUCT.md section 11): with AWS_STORAGE_BUCKET_NAME set, files go to that S3 bucket through
# django-storages (AWS_S3_ENDPOINT_URL for SeaweedFS, MinIO or another S3-compatible store; the keys from
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), members are redirected to presigned URLs valid 5 minutes, and
# uploads are read into memory only, so no file touches the app server's disk.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": int(os.environ.get("UPLOAD_PRESIGNED_URL_SECONDS") or 300),
        },
    }
    UPLOAD_PRESIGNED_URL_SECONDS = int(os.environ.get("UPLOAD_PRESIGNED_URL_SECONDS") or 300)
    FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
    FILE_UPLOAD_MAX_MEMORY_SIZE = 13 * 1024 * 1024  # above the 12 MB a multipart body may carry (413 beyond)

# --- API -----------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "workspaces.authentication.ApiKeyAuthentication",
        "workspaces.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["workspaces.api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "workspaces.api.parsers.JSONParser",
        "workspaces.api.parsers.PlainTextJSONParser",
        "workspaces.api.parsers.MultiPartParser",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "workspaces.api.negotiation.JsonByDefaultNegotiation",
    "EXCEPTION_HANDLER": "workspaces.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "workspaces.api.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "ISSUER": os.environ.get("JWT_ISSUER", "invoicing-backoffice"),
    "AUDIENCE": os.environ.get("JWT_AUDIENCE", "invoicing-api"),
    "LEEWAY": 0,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "CHECK_USER_IS_ACTIVE": True,
    "CHECK_REVOKE_TOKEN": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Invoicing back office API",
    "DESCRIPTION": "POS, suppliers, orders and the api2 invoice API. Amounts are exact JSON numbers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["workspaces.api.openapi.exclude_copies"],
    # After drf-spectacular's own (the enum components), what is said of the whole document at once.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "workspaces.api.openapi_hooks.postprocess",
    ],
    "TAGS": [
        {"name": "auth", "description": "Registration, tokens, the signed-in user."},
        {"name": "workspace", "description": "The workspace, its staff, stores, clients and API keys."},
        {"name": "catalogue", "description": "Taxes, products and stock."},
        {"name": "POS", "description": "Business days, order statuses, POS invoices and receipts."},
        {"name": "suppliers", "description": "Suppliers, their invoices, payments, exports and aging."},
        {"name": "orders", "description": "Orders and the invoices generated from them (seed 003)."},
        {"name": "api2", "description": "The api2 invoice API (seed 004)."},
    ],
    # Choice sets that share a field name (`status`, `type`) get a name of their own; the payment methods are one
    # vocabulary for POS and supplier payments.
    "ENUM_NAME_OVERRIDES": {
        "PaymentMethodEnum": "workspaces.payment_methods.PaymentMethod",
        "ActorTypeEnum": "workspaces.models.ActorType",
        "DiscountTypeEnum": "workspaces.discounts.DiscountType.values",
        "MembershipRoleEnum": "workspaces.models.Membership.Role",
        "MembershipStatusEnum": "workspaces.models.Membership.Status",
        "SessionStatusEnum": "pos.models.BusinessSession.Status",
        "PosInvoiceStatusEnum": "pos.models.PosInvoice.Status",
        "DiscountSourceEnum": "pos.models.PosInvoiceDiscount.Source",
        "OrderStatusEnum": "orders.models.Order.Status",
        "OrderCreatorTypeEnum": ["admin", "staff"],
        "Api2DiscountTypeEnum": "invoicing.models.InvoiceItem.DiscountType",
        "ZatcaDocumentStatusEnum": [
            "pending",
            "reported",
            "reported_with_warnings",
            "cleared",
            "cleared_with_warnings",
            "rejected",
        ],
        "ZatcaDeviceStatusEnum": ["not_onboarded", "compliance", "active", "failed"],
        "ZatcaMessageStatusEnum": ["ERROR", "WARNING", "PASS"],
        "ZatcaMessageTypeEnum": ["ERROR", "WARNING", "INFO"],
    },
    # A server relative to the host that serves the schema (the same document runs on every host).
    "SERVERS": [{"url": "/", "description": "The host serving this schema."}],
}

IDEMPOTENCY_KEY_TTL = timedelta(hours=24)

# --- E-mail --------------------------------------------------------------------------------------------------
# Registration sends a verification link (PRODUCT.md section 3): the console under `make run` (DEBUG), SMTP from
# the environment in production. The test runner swaps in the in-memory backend by itself.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@localhost")
# The links in e-mails start with this (e.g. https://office.example.com); unset: the host the request came to
# (ALLOWED_HOSTS checks it).
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")
EMAIL_VERIFICATION_MAX_AGE = timedelta(days=7)

# --- Login throttle ------------------------------------------------------------------------------------------
# `/v1/auth/token` and the admin's login: after this many failures within the window, per account and per client
# address, 429 until the oldest of them leaves the window. Failures are rows of workspaces.LoginFailure, in the
# database every worker shares. The client address is REMOTE_ADDR; behind N trusted proxies that each append to
# X-Forwarded-For, set LOGIN_THROTTLE_TRUSTED_PROXIES=N (the Nth address from the right is the client's).
LOGIN_THROTTLE_FAILURES = int(os.environ.get("LOGIN_THROTTLE_FAILURES", "10"))
LOGIN_THROTTLE_WINDOW = timedelta(minutes=int(os.environ.get("LOGIN_THROTTLE_WINDOW_MINUTES", "15")))
LOGIN_THROTTLE_TRUSTED_PROXIES = int(os.environ.get("LOGIN_THROTTLE_TRUSTED_PROXIES", "0"))

# --- Production safety ---------------------------------------------------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)  # 0 only on plain-HTTP loopback (deploy/)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Apps plug into the shared back office and demo through these lists, so they never import upwards.
DEMO_SEEDERS = [
    "invoicing.demo.seed_invoicing_demo",
    "pos.demo.seed_pos_demo",
    "suppliers.demo.seed_suppliers_demo",
    "orders.demo.seed_orders_demo",
]  # run in order by seed_demo
# Background work (PRODUCT.md section 11): the modules whose tasks `manage.py worker` runs (workspaces.tasks).
# EXTRA_TASK_MODULES adds more (the reference setup's probe task: tests/scale/probe_tasks.py).
TASK_MODULES = ["workspaces.tasks.builtin", "invoicing.zatca.tasks", "suppliers.tasks"]
TASK_MODULES += env_list("EXTRA_TASK_MODULES")
ADMIN_TODAY_PANELS = [
    "pos.dashboard.today_panel",
    "suppliers.dashboard.today_panel",
    "invoicing.zatca.dashboard.today_panel",
]  # the admin index's "today"

# --- ZATCA phase 2 (PRODUCT.md section 8b) -----------------------------------------------------------------------
# The devices' private keys and CSID secrets are encrypted at rest with a key derived from this (by default from
# SECRET_KEY, which production requires anyway). Changing it makes the stored keys unreadable: onboard again.
ZATCA_SECRET_KEY = os.environ.get("ZATCA_SECRET_KEY") or SECRET_KEY
_ZATCA_GATEWAY = "https://gw-fatoora.zatca.gov.sa/e-invoicing"
ZATCA_BASE_URLS = {
    # `sandbox` never leaves the machine (a built-in test CA and local fakes); its URL is the developer portal's.
    "sandbox": os.environ.get("ZATCA_SANDBOX_URL", f"{_ZATCA_GATEWAY}/developer-portal"),
    "simulation": os.environ.get("ZATCA_SIMULATION_URL", f"{_ZATCA_GATEWAY}/simulation"),
    "production": os.environ.get("ZATCA_PRODUCTION_URL", f"{_ZATCA_GATEWAY}/core"),
}
ZATCA_TIMEOUT_SECONDS = float(os.environ.get("ZATCA_TIMEOUT_SECONDS", "20"))
