"""How much one document may hold (PRODUCT.md section 2, "Limits"): at most 500 lines and 20 payments, so that no
single request or document costs without bound (400 items made each add cost 300 ms). Over either: 422
`too_many_lines` / `too_many_payments`, nothing written."""

from __future__ import annotations

from django.utils.translation import gettext as _

from workspaces.errors import ApplicationError

MAX_LINES = 500
MAX_PAYMENTS = 20
TOO_MANY_LINES = "too_many_lines"
TOO_MANY_PAYMENTS = "too_many_payments"


def lines_check(count: int) -> None:
    if count > MAX_LINES:
        raise ApplicationError(
            _("A document holds at most %(max)d lines.") % {"max": MAX_LINES},
            code=TOO_MANY_LINES,
            details={"max": MAX_LINES, "lines": count},
        )


def payments_check(count: int) -> None:
    if count > MAX_PAYMENTS:
        raise ApplicationError(
            _("A document holds at most %(max)d payments.") % {"max": MAX_PAYMENTS},
            code=TOO_MANY_PAYMENTS,
            details={"max": MAX_PAYMENTS, "payments": count},
        )
