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
