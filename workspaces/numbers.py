"""Exact Decimal text, shared by the JSON renderer and the printed documents."""

from __future__ import annotations

import functools
from decimal import Decimal


@functools.lru_cache(maxsize=8192)
def decimal_literal(value: Decimal) -> str:
    """`Decimal("100.00")` -> `100`, `Decimal("3684.780")` -> `3684.78`, `Decimal("-0")` -> `0`.

    The literal depends only on the numeric value, so equal Decimals (1.50, 1.5) may share a cached answer."""
    if not value.is_finite():
        raise ValueError("only finite amounts can be written")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in {"-0", ""}:
        text = "0"
    return text


__all__ = ["decimal_literal"]
