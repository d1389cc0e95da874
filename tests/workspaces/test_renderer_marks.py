"""The exact-Decimal JSON writer (workspaces.api.renderers): amounts as bare literals, strings left as sent."""

import json
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from workspaces.api import renderers
from workspaces.api.renderers import dumps


def test_amounts_are_bare_exact_literals():
    text = dumps({"total": Decimal("3684.780"), "lines": [Decimal("0"), Decimal("-1.50")], "n": None})
    assert text == '{"total":3684.78,"lines":[0,-1.5],"n":null}'


def test_a_string_shaped_like_a_mark_stays_a_string():
    # A user does not know this process's random nonce: a string with the marks' shape (a NUL, a nonce, the
    # literal between "<" and ">") around another nonce, escaped or not, is written as the string it is.
    guess = "0" * len(renderers._NONCE)
    forged = [
        "\x00" + guess + "<1\x00" + guess + ">",
        "\\u0000" + guess + "<2\\u0000" + guess + ">",
        '"\\u0000' + guess + "<3",
    ]
    for value in forged:
        assert json.loads(dumps({"name": value, "amount": Decimal("1.10")})) == {"name": value, "amount": 1.1}


@given(st.text(), st.decimals(allow_nan=False, allow_infinity=False, places=3))
def test_any_text_and_amount_read_back_as_written(text, amount):
    assert json.loads(dumps([text, amount]), parse_float=Decimal) == [text, amount]


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.decimals(allow_nan=False, allow_infinity=False, places=4)
    | st.text(alphabet=st.characters(exclude_categories=["Cs"])),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(_json_values)
def test_orjson_writes_what_the_standard_library_writes(value):
    """The fast path (orjson) and the standard library's encoder write the same text: an idempotency key's
    fingerprint (`idempotency._canonical`) does not depend on which one wrote it."""
    expected = renderers._encoder.encode(value)
    if renderers._NONCE in expected:
        expected = expected.replace(renderers._OPEN_WRITTEN, "").replace(renderers._CLOSE_WRITTEN, "")
    assert dumps(value) == expected


def test_what_orjson_refuses_is_written_by_the_standard_library():
    assert (
        dumps({"name": "a\ud800b", "big": 2**70, 1: Decimal("2.50")})
        == '{"name":"a\ud800b","big":1180591620717411303424,"1":2.5}'
    )
