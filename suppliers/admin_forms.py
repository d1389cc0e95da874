"""The supplier admin's forms: amounts typed with the currency's digits, the scan's file field, and the refusals
the API answers without field errors placed beside the field they are about."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django import forms
from django.contrib.admin.widgets import AdminURLFieldWidget
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from invoicing.money import minor_unit, quantize_money
from suppliers.models import SupplierInvoice, SupplierPayment
from workspaces.errors import ApplicationError


@contextmanager
def refusal_on(**fields: str) -> Iterator[None]:
    """`refusal_on(invoice_number=DUPLICATE_INVOICE_NUMBER)`: a refusal with that code and no field errors (the
    API's 409 and 422 carry none: its contract has `errors` for validation only) is raised again naming the
    field, so the admin's form shows it beside what was typed. Other refusals pass through as they are."""
    try:
        yield
    except ApplicationError as error:
        field = next((name for name, code in fields.items() if code == error.code), None)
        if field is None or error.errors:
            raise
        raise ApplicationError(
            error.message,
            code=error.code,
            status=error.status_code,
            details=error.details,
            errors={field: [error.message]},
        ) from error


def money_input(form: forms.BaseForm, name: str, currency: str | None) -> None:
    """An amount typed with the currency's digits: the input steps by its minor unit, and a stored amount shows
    them (`5000.00` for SAR, not `5000.000`)."""
    field = form.fields.get(name)
    if field is None or not currency:
        return
    field.widget.attrs["step"] = str(Decimal(1).scaleb(-minor_unit(currency)))
    stored = form.initial.get(name)
    if not form.is_bound and stored is not None:
        form.initial[name] = quantize_money(Decimal(stored), currency)


def _currency(form: forms.ModelForm) -> str | None:
    if form.instance.pk:
        return getattr(form.instance, "currency", None) or form.instance.invoice.currency
    workspace = getattr(form, "admin_workspace", None)
    return workspace.currency if workspace is not None else None


class ServiceCheckedForm(forms.ModelForm):
    """The form checks what was typed (a number, a date); the rules on the values (a total of at least 0, a due
    date not before the issue date, a payment above 0, an http(s) image URL) are the service's, refused with its
    messages beside their fields, never the database constraints' names ("Constraint ... is violated")."""

    def _get_validation_exclusions(self) -> set[str]:
        return {field.name for field in self._meta.model._meta.get_fields()}


class SupplierInvoiceForm(ServiceCheckedForm):
    scan = forms.FileField(
        label=capfirst(_("scanned invoice")),
        required=False,
        help_text=_(
            "A JPEG, PNG, WebP or GIF image or a PDF, at most 10 MB. An image is stored as WebP without its "
            "metadata; the image URL then points to it."
        ),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif,.pdf"}),
    )
    # Checked by the service as the API checks it (an absolute http(s) URL): Django's URL field would refuse a
    # host without a dot, such as the server's own when it has no domain name.
    image_url = forms.CharField(
        label=capfirst(SupplierInvoice._meta.get_field("image_url").verbose_name),
        required=False,
        max_length=2048,
        widget=AdminURLFieldWidget,
    )

    class Meta:
        model = SupplierInvoice
        fields = (
            "supplier",
            "invoice_number",
            "total_amount",
            "issue_date",
            "due_date",
            "description",
            "notes",
            "image_url",
        )
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        money_input(self, "total_amount", _currency(self))


class PaymentAddForm(ServiceCheckedForm):
    class Meta:
        model = SupplierPayment
        fields = ("invoice", "amount", "paid_at", "method", "reference", "notes")
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "paid_at" in self.fields:
            self.fields["paid_at"].required = False
            self.fields["paid_at"].help_text = _("Empty: now.")
        money_input(self, "amount", _currency(self))
