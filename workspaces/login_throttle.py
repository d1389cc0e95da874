"""Sign-in throttling per account and per client address (PRODUCT.md section 3): after
`LOGIN_THROTTLE_FAILURES` failures within `LOGIN_THROTTLE_WINDOW`, every attempt, the right password included, is
refused with 429 `too_many_attempts` and `Retry-After` until enough of those failures have left the window.

The state is a table (`LoginFailure`) rather than a cache counter: a row per failure is exact under concurrency (an
insert cannot be lost the way a read-modify-write counter can be), the window slides, every worker shares it, and a
fresh `migrate` creates it. Where `REDIS_URL` is set (section 11), the same failures live in Redis instead, one
sorted set per key with the same exactness (`workspaces.login_throttle_redis`); the choice is made at each call, so
the store follows the settings. Only failures are recorded, so the many successful sign-ins of a busy shop (or of
the test suite) cost one small read each. `/v1/auth/token` (`workspaces.services.token_obtain`) and the admin's
login form (`workspaces.admin_site.BackOfficeLoginForm`) share the counters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from workspaces import login_throttle_redis
from workspaces.errors import ApplicationError
from workspaces.models import LoginFailure

Scope = LoginFailure.Scope


def client_address(meta: Mapping[str, Any]) -> str:
    """The client's address: REMOTE_ADDR, or, behind `LOGIN_THROTTLE_TRUSTED_PROXIES` proxies that each append the
    address they saw to X-Forwarded-For, the one the outermost trusted proxy saw (a client can prepend anything to
    that header, never append)."""
    proxies = settings.LOGIN_THROTTLE_TRUSTED_PROXIES
    remote = str(meta.get("REMOTE_ADDR") or "")
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip() for part in str(meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if part.strip()
    ]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote


def _key(scope: str, value: str) -> str:
    return hashlib.sha256(f"{scope}:{value}".encode("utf-8", "surrogatepass")).hexdigest()


def _keys(*, email: str, address: str) -> dict[str, str]:
    return {
        Scope.ACCOUNT: _key(Scope.ACCOUNT, email.strip().lower()),
        Scope.ADDRESS: _key(Scope.ADDRESS, address),
    }


def _in_redis() -> bool:
    return bool(settings.REDIS_URL)


def _failure_times(keys: Mapping[str, str], *, since: dt.datetime) -> dict[str, list[dt.datetime]]:
    if _in_redis():
        return login_throttle_redis.failure_times(keys, since=since)
    rows = LoginFailure.objects.filter(
        Q(scope=Scope.ACCOUNT, key=keys[Scope.ACCOUNT]) | Q(scope=Scope.ADDRESS, key=keys[Scope.ADDRESS]),
        at__gt=since,
    ).values_list("scope", "at")
    times: dict[str, list[dt.datetime]] = {Scope.ACCOUNT: [], Scope.ADDRESS: []}
    for scope, at in rows:
        times[scope].append(at)
    return times


def _state(*, email: str, address: str) -> tuple[int | None, bool]:
    """(seconds until an attempt is allowed again or None, whether the account has failures in the window)."""
    limit = settings.LOGIN_THROTTLE_FAILURES
    now = timezone.now()
    times = _failure_times(_keys(email=email, address=address), since=now - settings.LOGIN_THROTTLE_WINDOW)
    waits = []
    for failures in times.values():
        if len(failures) >= limit:
            # Allowed again once all but `limit - 1` of them have left the window.
            lifts = sorted(failures, reverse=True)[limit - 1] + settings.LOGIN_THROTTLE_WINDOW
            waits.append(max(1, math.ceil((lifts - now).total_seconds())))
    return (max(waits) if waits else None), bool(times[Scope.ACCOUNT])


def retry_after(*, email: str, address: str) -> int | None:
    """Seconds until an attempt for `email` from `address` is allowed again; None when it is allowed now."""
    return _state(email=email, address=address)[0]


def too_many_attempts(wait: int) -> ApplicationError:
    return ApplicationError(
        _("Too many failed sign-in attempts. Try again later."),
        code="too_many_attempts",
        status=429,
        headers={"Retry-After": str(wait)},
    )


def check(*, email: str, address: str) -> bool:
    """Before any password is hashed: a locked account or address is a 429. Returns whether the account has
    failures to clear on success (so a clean sign-in costs this one read, no write)."""
    wait, account_failures = _state(email=email, address=address)
    if wait is not None:
        raise too_many_attempts(wait)
    return account_failures


def failure_record(*, email: str, address: str) -> None:
    """One failure for the account and one for the address; rows older than the window go (any key's: a key never
    tried again leaves nothing behind)."""
    now = timezone.now()
    if _in_redis():
        login_throttle_redis.failure_add(
            _keys(email=email, address=address), at=now, window=settings.LOGIN_THROTTLE_WINDOW
        )
        return
    LoginFailure.objects.filter(at__lte=now - settings.LOGIN_THROTTLE_WINDOW).delete()
    LoginFailure.objects.bulk_create(
        [
            LoginFailure(scope=scope, key=key, at=now)
            for scope, key in _keys(email=email, address=address).items()
        ]
    )


def success_record(*, email: str) -> None:
    """A right password clears the account's failures (not the address's: one valid account must not reset an
    address that guesses at others)."""
    key = _keys(email=email, address="")[Scope.ACCOUNT]
    if _in_redis():
        login_throttle_redis.failures_clear(Scope.ACCOUNT, key)
        return
    LoginFailure.objects.filter(scope=Scope.ACCOUNT, key=key).delete()
