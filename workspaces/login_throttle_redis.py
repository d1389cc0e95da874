"""The sign-in throttle's failures in Redis, for `workspaces.login_throttle` where `REDIS_URL` is set (PRODUCT.md
sections 3 and 11): the same sliding window as the `LoginFailure` rows, kept where every worker on every machine
reaches it in one round trip.

Each key (an account's or an address's digest) is a sorted set of its failures, scored by their time in
microseconds since the epoch (exact in a double until the year 2255). A failure is a ZADD of a member that no other
failure shares, never a read-modify-write, so concurrent failures on any number of workers are all counted; each
operation is one MULTI/EXEC pipeline, so its steps cannot interleave with another's. Entries that have left the
window are dropped on every write (ZREMRANGEBYSCORE) and a key untouched for a whole window expires (EXPIRE), so
nothing outlives the window. The connection is the cache's own (`CACHES["default"]`, Django's RedisCache), with its
key prefix and version: one Redis, one place to configure it.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Mapping

import redis
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def _micros(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def _moment(micros: float) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=int(micros))


def _redis_key(scope: str, key: str) -> str:
    return caches[DEFAULT_CACHE_ALIAS].make_key(f"login-failures:{scope}:{key}")


def _client() -> redis.Redis:
    """The raw client of the default cache; a `REDIS_URL` whose cache is not Redis is a configuration error, not
    a silent fallback to a store other workers may not share."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, RedisCache):
        raise ImproperlyConfigured(
            "REDIS_URL is set, so the login throttle keeps its state in Redis, but CACHES['default'] is not "
            "django.core.cache.backends.redis.RedisCache."
        )
    return backend._cache.get_client(write=True)


def failure_times(keys: Mapping[str, str], *, since: dt.datetime) -> dict[str, list[dt.datetime]]:
    """Each scope's failures later than `since` (`keys`: scope -> digest), read together in one transaction."""
    pipe = _client().pipeline(transaction=True)
    for scope, key in keys.items():
        pipe.zrange(_redis_key(scope, key), f"({_micros(since)}", "+inf", byscore=True, withscores=True)
    answers = pipe.execute()
    return {
        scope: [_moment(score) for _member, score in entries]
        for scope, entries in zip(keys, answers, strict=True)
    }


def failure_add(keys: Mapping[str, str], *, at: dt.datetime, window: dt.timedelta) -> None:
    """One failure at `at` under each key; what has left the window goes, and each key lives one window more."""
    score = _micros(at)
    expired = _micros(at - window)
    ttl = math.ceil(window.total_seconds()) + 1
    pipe = _client().pipeline(transaction=True)
    for scope, key in keys.items():
        name = _redis_key(scope, key)
        pipe.zremrangebyscore(name, "-inf", expired)  # inclusive, as the rows' `at <= now - window`
        pipe.zadd(name, {f"{score}:{secrets.token_hex(8)}": score})
        pipe.expire(name, ttl)
    pipe.execute()


def failures_clear(scope: str, key: str) -> None:
    _client().delete(_redis_key(scope, key))
