"""The body checks cost what the body's length costs, whatever it holds (PRODUCT.md section 2, "Limits").

The review's body, `"` followed by `\\"` repeated, made the old depth scan restart at every escaped quote: 64 KB
took 13 s, 1 MB over an hour, with no login needed. These tests time the parser itself, with bounds a hundred
times above what a linear pass costs here, so a noisy machine cannot fail them and a quadratic scan cannot pass.
"""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workspaces.api import parsers

MEGABYTE = 1024 * 1024


def _hostile(size: int) -> str:
    return '"' + '\\"' * ((size - 1) // 2)


def _seconds(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _refused(raw: bytes) -> None:
    try:
        parsers.loads(raw)
    except Exception:  # a refusal of any kind is what is timed
        return


def test_a_megabyte_of_escaped_quotes_is_refused_in_well_under_a_second(api_client):
    body = _hostile(MEGABYTE - 16).encode()
    started = time.perf_counter()
    response = api_client.post("/v1/auth/token", data=body, content_type="application/json")
    elapsed = time.perf_counter() - started
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert elapsed < 1.0, f"refusing 1 MB took {elapsed:.2f} s"


@pytest.mark.parametrize(
    "fragment",
    ['\\"', '"\\"', "\\\\", '"[', "[]", "{}", '"a":', "1e5,", "0.5,", '["', "\\u00e9", '\\"]'],
    ids=lambda f: repr(f),
)
def test_sixteen_times_the_body_costs_about_sixteen_times_the_time(fragment):
    """Linear: 1 MB costs about 16 times 64 KB (best of five each); a quadratic scan would cost 256 times. The
    bound, 128 times, is eight times linear and half of quadratic: a loaded machine once measured 82 times for
    the linear pass, and a quadratic scan still fails it."""

    def best(size: int) -> float:
        raw = ('"' + fragment * (size // len(fragment)))[:size].encode()
        return min(_seconds(lambda: _refused(raw)) for _ in range(5))

    small, large = best(64 * 1024), best(MEGABYTE - 16)
    assert large < 1.0
    assert large < max(small, 0.002) * 128, f"64 KB: {small:.4f} s, 1 MB: {large:.4f} s"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fragment=st.text(alphabet='"\\[]{}:,1e.-a ', min_size=1, max_size=12))
def test_any_repeated_fragment_is_read_or_refused_in_well_under_a_second(fragment):
    raw = (fragment * (256 * 1024 // len(fragment) + 1))[: 256 * 1024].encode()
    assert _seconds(lambda: _refused(raw)) < 1.0


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(alphabet='ab"\\[]{}\n', max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=30,
)


def _depth(value) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=200, deadline=None)
@given(value=_json_values)
def test_the_linear_scan_measures_the_same_depth_as_the_parsed_document(value):
    """Brackets, quotes and backslashes inside strings never count; every real bracket does."""
    assert parsers.nesting_depth(json.dumps(value)) == _depth(value)
