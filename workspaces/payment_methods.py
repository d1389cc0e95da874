"""The one payment-method vocabulary (PRODUCT.md sections 5 and 6): a POS sale's payments and a supplier invoice's
payments name their method with the same words, `cheque` included."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    TRANSFER = "transfer", _("Transfer")
    CHEQUE = "cheque", _("Cheque")
    OTHER = "other", _("Other")
