"""The one discount type and the one check of a discount's value, for a client's standing POS discount and a
document's discount line alike (the invoicing calculator and every app's documents use the same type)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workspaces.currencies import has_at_most_places, minor_unit
from workspaces.errors import ValidationFailed


class DiscountType(models.TextChoices):
    PERCENT = "percent", gettext_lazy("Percent")
    FIXED = "fixed", gettext_lazy("Fixed amount")


def discount_value_validate(*, type: str, value: Decimal, currency: str, field: str = "value") -> None:
    """A percent is 0-100; a fixed amount is zero or more with at most the currency's minor digits (an unknown
    currency is a `ValueError`, never a guess of 2 places). Raises `ValidationFailed` on `field`."""
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise ValidationFailed({field: [_("Must be zero or more.")]})
    if type == DiscountType.PERCENT and value > 100:
        raise ValidationFailed({field: [_("A percent is at most 100.")]})
    if type == DiscountType.FIXED:
        places = minor_unit(currency)
        if not has_at_most_places(value, places):
            raise ValidationFailed({field: [_("At most %(places)d decimal places.") % {"places": places}]})
