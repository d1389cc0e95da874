"""Writes for taxes: rates of 0-100 with four decimals, a default kind from the workspace."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from invoicing.models import TAX_RATE_DECIMAL_PLACES, Product, Tax
from invoicing.money import has_at_most_places
from workspaces import codes
from workspaces.errors import ValidationFailed
from workspaces.models import Workspace
from workspaces.tenancy import Access


def tax_rate_validate(*, rate: Decimal) -> None:
    """A percent from 0 to 100 with at most four decimals (`ValidationFailed` on `rate`)."""
    if not isinstance(rate, Decimal) or not rate.is_finite() or not Decimal(0) <= rate <= Decimal(100):
        raise ValidationFailed({"rate": [_("A rate is a percent from 0 to 100.")]})
    if not has_at_most_places(rate, TAX_RATE_DECIMAL_PLACES):
        raise ValidationFailed(
            {"rate": [_("At most %(places)d decimal places.") % {"places": TAX_RATE_DECIMAL_PLACES}]}
        )


@transaction.atomic
def tax_create(*, workspace: Workspace, access: Access, data: dict[str, Any]) -> Tax:
    """`data`: name, rate (percent), inclusive (None or absent: the workspace's `prices_include_tax`). Needs
    `catalog.manage`."""
    access.require(codes.CATALOG_MANAGE)
    tax_rate_validate(rate=data["rate"])
    inclusive = data.get("inclusive")
    if inclusive is None:
        inclusive = workspace.prices_include_tax
    return Tax.objects.create(workspace=workspace, name=data["name"], rate=data["rate"], inclusive=inclusive)


def tax_kind_change_validate(*, tax: Tax, inclusive: bool) -> None:
    """A tax may change kind (inclusive/exclusive) only while no product carries it beside a tax of the other
    kind: no product may mix them."""
    if inclusive == tax.inclusive:
        return
    others_of_the_other_kind = Tax.objects.filter(
        workspace_id=tax.workspace_id, inclusive=not inclusive
    ).exclude(pk=tax.pk)
    if Product.objects.filter(taxes=tax).filter(taxes__in=others_of_the_other_kind).exists():
        raise ValidationFailed(
            {"inclusive": [_("A product carries this tax together with a tax of the other kind.")]}
        )


@transaction.atomic
def tax_update(*, tax: Tax, access: Access, data: dict[str, Any]) -> Tax:
    """Changes the fields present in `data`; a change of kind follows `tax_kind_change_validate`. Needs
    `catalog.manage`."""
    access.require(codes.CATALOG_MANAGE)
    if "rate" in data:
        tax_rate_validate(rate=data["rate"])
        tax.rate = data["rate"]
    if "name" in data:
        tax.name = data["name"]
    if data.get("inclusive") is not None and data["inclusive"] != tax.inclusive:
        tax_kind_change_validate(tax=tax, inclusive=data["inclusive"])
        tax.inclusive = data["inclusive"]
    tax.save()
    return tax
