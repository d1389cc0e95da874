"""ZATCA documents in the back office (PRODUCT.md section 8b): each signed document with its reporting or
clearance state, urgent after 20 hours pending, its QR and its signed XML; read by whoever reads the POS invoices."""

from __future__ import annotations

import re

import segno
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from invoicing.zatca.admin_helpers import SOURCES, ltr_column, zatca_messages
from invoicing.zatca.dashboard import urgent_cutoff
from invoicing.zatca.models import ZatcaDocument
from invoicing.zatca.reads import xml_of
from workspaces import codes
from workspaces.admin_base import WorkspaceScopedAdmin
from workspaces.admin_lists import related_filter

# --- Documents --------------------------------------------------------------------------------------------------


class UrgentFilter(admin.SimpleListFilter):
    """Pending for more than 20 hours: ZATCA wants each document within 24."""

    title = _("urgency")
    parameter_name = "urgent"

    def lookups(self, request, model_admin):
        return [("yes", _("Urgent: pending for more than 20 hours"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status=ZatcaDocument.Status.PENDING, created_at__lt=urgent_cutoff())
        return queryset


@admin.register(ZatcaDocument)
class ZatcaDocumentAdmin(WorkspaceScopedAdmin):
    """The signed documents and their reporting state, read-only (nothing signed ever changes), with their QR and
    signed XML. Read by whoever reads the POS invoices (`store.orders.manage`)."""

    view_permission = codes.STORE_ORDERS_MANAGE
    change_permission = codes.STORE_ORDERS_MANAGE
    list_display = ("number", "source_link", "store_name", "kind", "icv", "status_display", "attempts",
                    "created_at", "reported_at")  # fmt: skip
    list_filter = (
        "status",
        UrgentFilter,
        "kind",
        ("device", related_filter(_("device"), select_related=("store",))),
    )
    search_fields = ("number",)
    search_help_text = _("Search by document number.")
    date_hierarchy = "created_at"
    ordering = ("-pk",)
    list_select_related = ("device__store",)
    fields = ("number", "source_link", "store_name", "kind", "status_display", "icv", "uuid_display",
              "hash_display", "previous_hash_display", "qr_image", "xml_link", "attempts", "next_attempt_at", "last_error",
              "errors_display", "warnings_display", "created_at", "reported_at")  # fmt: skip
    readonly_fields = fields

    uuid_display = ltr_column("uuid", _("UUID"))
    hash_display = ltr_column("hash", _("hash"))
    previous_hash_display = ltr_column("previous_hash", _("previous hash"))

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The list reads neither the XML nor the QR: they are the change page's (`get_object`).
        return super().get_queryset(request).select_related("device__store").defer("xml", "qr")

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        if not str(object_id).isdigit():
            return None
        return (
            self.get_queryset(request)
            .defer(None)
            .select_related("device__store")
            .filter(pk=object_id)
            .first()
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("store"), ordering="device__store__name")
    def store_name(self, document: ZatcaDocument) -> str:
        return document.device.store.name

    @admin.display(description=_("document"))
    def source_link(self, document: ZatcaDocument) -> str:
        label, url_name = SOURCES.get(document.source_type, (document.source_type, None))
        if url_name is None:
            return format_html("{} {}", label, document.source_id)
        url = reverse(url_name, args=[document.source_id])
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, document: ZatcaDocument) -> str:
        """The status; a pending document over 20 hours old is marked urgent, a rejected one in red too."""
        status = document.get_status_display()
        if document.status == ZatcaDocument.Status.PENDING and document.created_at < urgent_cutoff():
            return format_html(
                '{} <strong class="zatca-urgent" style="color: var(--error-fg, #ba2121)">{}</strong>',
                status,
                gettext("Urgent"),
            )
        if document.status == ZatcaDocument.Status.REJECTED:
            return format_html(
                '<strong class="zatca-rejected" style="color: var(--error-fg, #ba2121)">{}</strong>', status
            )
        return status

    @admin.display(description=_("QR"))
    def qr_image(self, document: ZatcaDocument) -> str:
        """The 9-tag QR as the receipt prints it (`pos.receipts`)."""
        if not document.qr:
            return "—"
        uri = segno.make(document.qr, error="m").svg_data_uri(scale=3, border=2)
        return format_html('<img src="{}" alt="{}" class="zatca-qr">', uri, gettext("ZATCA QR code"))

    @admin.display(description=_("signed XML"))
    def xml_link(self, document: ZatcaDocument) -> str:
        url = reverse("admin:invoicing_zatcadocument_xml", args=[document.pk])
        return format_html('<a href="{}" class="zatca-xml" download>{}</a>', url, gettext("Download the XML"))

    @admin.display(description=_("errors"))
    def errors_display(self, document: ZatcaDocument) -> str:
        return zatca_messages(document.errors)

    @admin.display(description=_("warnings"))
    def warnings_display(self, document: ZatcaDocument) -> str:
        return zatca_messages(document.warnings)

    def get_urls(self):
        return [
            path(
                "<int:document_id>/xml/",
                self.admin_site.admin_view(self.xml_view),
                name="invoicing_zatcadocument_xml",
            ),
            *super().get_urls(),
        ]

    def xml_view(self, request: HttpRequest, document_id: int) -> HttpResponse:
        """The signed XML, the bytes that were hashed, as a download (the workspace's documents only)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        document = get_object_or_404(self.get_queryset(request).defer(None), pk=document_id)
        name = re.sub(r"[^A-Za-z0-9._-]", "_", document.number) or str(document.pk)
        response = HttpResponse(xml_of(document), content_type="application/xml")  # cleared once cleared
        response["Content-Disposition"] = f'attachment; filename="{name}.xml"'
        return response
