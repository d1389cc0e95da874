"""`seed_demo` creates accounts whose password is public: never on a server by accident (issue 15)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from workspaces.models import User


@pytest.mark.django_db
def test_with_debug_off_the_demo_is_refused_and_no_account_is_made():
    with pytest.raises(CommandError, match="--allow-without-debug"):
        call_command("seed_demo")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_with_debug_on_the_demo_loads_and_prints_the_urls_of_its_port(capsys, monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    with override_settings(DEBUG=True):
        call_command("seed_demo")
    out = capsys.readouterr().out
    assert "owner@demo.example" in out
    assert "http://127.0.0.1:8123/admin/" in out and "http://127.0.0.1:8123/api/docs/" in out
    assert User.objects.filter(email="owner@demo.example").exists()
