import os
import subprocess
import sys

import pytest
from django.db import connection, connections
from django.utils import translation
from rest_framework.test import APIClient

from tests.factories import MembershipFactory, StoreFactory, UserFactory, WorkspaceFactory
from workspaces.models import Membership
from workspaces.services import tokens_for

PASSWORD = "correct-horse-42"


def pytest_collection_modifyitems(config, items):
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    if os.environ.get("REQUIRE_POSTGRES") and not on_postgres:
        raise pytest.UsageError("REQUIRE_POSTGRES is set but DATABASE_URL is not a PostgreSQL URL")
    if on_postgres:
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (set DATABASE_URL): real row locks, advisory locks, threads"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def _lingering_sessions_ended(name: str) -> None:
    """A connection a test's thread left open (a live server's, a worker thread's) would keep the runner from
    dropping the test database: each is named on stderr, then ended."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name, state, left(query, 200) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        for pid, application, state, query in cursor.fetchall():
            sys.stderr.write(f"\nA session was left open on {name}: {application!r} {state} {query!r}\n")
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    connection.close()


@pytest.fixture(scope="session", autouse=True)
def _connections_closed_before_the_test_database_goes(django_db_setup, django_db_blocker):
    """The `replica` test mirror (config/test_settings.py) is a second connection to the test database: closed
    before the database is dropped, which refuses while a session is connected."""
    yield
    with django_db_blocker.unblock():
        name = connections["default"].settings_dict["NAME"]
        connections.close_all()
        if connection.vendor == "postgresql" and not os.environ.get("DATABASE_POOLER"):
            _lingering_sessions_ended(name)
    if os.environ.get("DATABASE_POOLER") == "transaction":
        # Through pgbouncer (make test-scale) the pooler keeps server connections to the test database: dropped
        # (KILL) and the database let through again (RESUME), so that the test runner can drop it.
        server = connections["default"].settings_dict
        console = ["psql", "-h", server["HOST"], "-p", str(server["PORT"]), "-U", server["USER"], "pgbouncer"]
        subprocess.run(
            [*console, "-qc", f"KILL {name}", "-qc", f"RESUME {name}"],
            check=False,
            capture_output=True,
            timeout=30,
        )


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request's `Accept-Language` activates its language on the
    thread and Django does not reset it afterwards, which a later test calling a service directly would read."""
    yield
    translation.deactivate()


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="مقهى الياسمين")


@pytest.fixture
def store(workspace):
    return StoreFactory(workspace=workspace, name="الفرع الرئيسي")


@pytest.fixture
def owner(workspace, store):
    user = UserFactory(name="Sara Owner")
    MembershipFactory(workspace=workspace, user=user, role=Membership.Role.OWNER, admin_access=True)
    return user


@pytest.fixture
def staff(workspace, store):
    """A staff member with no permission codes."""
    user = UserFactory(name="Omar Staff")
    MembershipFactory(workspace=workspace, user=user, role=Membership.Role.STAFF, store=store)
    return user


def make_staff(workspace, *permissions, **fields):
    user = UserFactory()
    MembershipFactory(workspace=workspace, user=user, permissions=list(permissions), **fields)
    return user


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(name="Other workspace")


@pytest.fixture
def other_owner(other_workspace):
    user = UserFactory(name="Other Owner")
    StoreFactory(workspace=other_workspace)
    MembershipFactory(workspace=other_workspace, user=user, role=Membership.Role.OWNER)
    return user


def client_for(user=None, *, api_key: str | None = None, workspace_id: int | None = None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.credentials(
            HTTP_AUTHORIZATION=f"Bearer {tokens_for(user=user, workspace_id=workspace_id)['access']}"
        )
    elif api_key is not None:
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key}")
    return api


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def owner_client(owner):
    return client_for(owner)


@pytest.fixture
def staff_client(staff):
    return client_for(staff)


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"
