"""Settings for the test suite: the real settings with test secrets and a fast password hasher."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-of-at-least-32-bytes-long")
os.environ.setdefault("JWT_SIGNING_KEY", "test-only-jwt-signing-key-of-at-least-32-bytes")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from config.settings import *  # noqa: F403
from config.settings import VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = VAR_DIR / "test-media"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise")]  # noqa: F405
# Tests never talk to ZATCA: its simulation and production gateways are a closed loopback port (refused at once);
# a test that needs an answer points a device at its own local fake.
ZATCA_BASE_URLS = {
    **ZATCA_BASE_URLS,  # noqa: F405
    "simulation": "http://127.0.0.1:9/sim",
    "production": "http://127.0.0.1:9/core",
}
ZATCA_TIMEOUT_SECONDS = 2
# On PostgreSQL a `replica` alias: a second connection to the test database (a test mirror), which sees what the
# primary committed. The router leaves it alone unless a test turns DATABASE_REPLICA_READS on
# (tests/workspaces/test_routing.py): a rolled-back test's rows are invisible to a second connection.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES.setdefault(  # noqa: F405
        "replica",
        {**DATABASES["default"], "TEST": {"MIRROR": "default"}},  # noqa: F405
    )
DATABASE_REPLICA_READS = False
