"""The POS invoice list's search by number (the admin's `search_conditions`)."""

from __future__ import annotations

import re
import unicodedata

from django.db.models import Q

from invoicing.numbering import POS_SERIES

# A whole invoice number as a cashier reads it from a receipt (`POS-0042`, `pos-42`, Eastern digits too).
FULL_PUBLIC_ID = re.compile(rf"{POS_SERIES}-(\d{{1,18}})", re.IGNORECASE)


# What a part of a number may hold: the letters of the series, the dash, digits (Eastern ones read as digits).
PUBLIC_ID_PART = re.compile(r"[A-Za-z0-9-]{1,32}")


def public_id_search(word: str) -> Q:
    """A whole number is that invoice alone, by its `(workspace, number)` key (`POS-100`, not POS-1000 too); any other
    word a part of a number (`UPPER(public_id) LIKE`, along `pos_invoice_public_id_trgm` on PostgreSQL). A word no
    number can hold (another character, longer than a number) reads nothing: its LIKE has no trigram to look up,
    and the index would hand every invoice to the recheck (a second and more at a million)."""
    match = FULL_PUBLIC_ID.fullmatch(word)
    if match:
        return Q(number=int(match[1]))
    part = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in word)
    return Q(public_id__icontains=part) if PUBLIC_ID_PART.fullmatch(part) else Q(pk__in=[])
