"""What the ZATCA admin pages share: the documents' sources, ZATCA's messages, left-to-right values."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workspaces.admin_display import readable_list

SOURCES = {
    "pos_invoice": (_("POS sale"), "admin:pos_posinvoice_change"),
    "pos_return": (_("POS return"), "admin:pos_posreturn_change"),
    "sales_invoice": (_("Sales invoice"), "admin:invoicing_invoice_change"),
    "api2_invoice": (_("Sales invoice"), "admin:invoicing_invoice_change"),
    "order_invoice": (_("Order invoice"), "admin:orders_orderinvoice_change"),
}


def zatca_messages(entries) -> str:
    """ZATCA's errors or warnings (`{"code", "message", ...}` each) as lines a person reads: `code: message`."""
    lines = []
    for entry in entries or []:
        if isinstance(entry, dict):
            code, text = entry.get("code") or "", entry.get("message") or ""
            lines.append(f"{code}: {text}" if code and text else code or text or gettext("(no message)"))
        else:
            lines.append(str(entry))
    return readable_list(lines)


def ltr_text(value, *, nowrap: bool = False) -> str:
    """A code (a hash, a UUID, a date) kept left to right on an Arabic page: a base64 hash's trailing `==` would
    otherwise be drawn at its start. `nowrap` keeps a short one (a name, a date) on one line in a list."""
    if value in (None, ""):
        return "—"
    style = ' style="white-space: nowrap"' if nowrap else ""
    return format_html('<span dir="ltr"{}>{}</span>', SafeString(style), value)


def ltr_column(field: str, description):
    """A read-only field shown left to right (`ltr_text`), under the field's own caption."""

    @admin.display(description=description)
    def column(modeladmin, obj) -> str:
        return ltr_text(getattr(obj, field))

    return column


# --- Devices ----------------------------------------------------------------------------------------------------


def document_state(document) -> str:
    """An invoice's ZATCA document as its admin page shows it: kind and state linking to the document's page, and
    ZATCA's errors and warnings in its own words (left to right on an Arabic page); "—" where nothing was signed."""
    if document is None:
        return "—"
    url = reverse("admin:invoicing_zatcadocument_change", args=[document.pk])
    notes = zatca_messages([*document.errors, *document.warnings])
    return format_html(
        '<a href="{}">{} — {}</a>{}',
        url,
        document.get_kind_display(),
        document.get_status_display(),
        format_html('<div class="help" dir="ltr">{}</div>', notes)
        if document.errors or document.warnings
        else "",
    )
