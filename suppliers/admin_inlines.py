"""A supplier invoice's payments on its page: the recorded ones as they were written (each can be removed: the
API's `supplier_payment_remove`), and a row to add one (`supplier_payment_add`). Kept narrow, so the page fits a
1400 px screen in both directions."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from suppliers.admin_forms import ServiceCheckedForm, money_input
from suppliers.models import SupplierPayment
from workspaces.admin_base import WorkspaceScopedInline, add_service_errors
from workspaces.admin_display import actor_column, money_column
from workspaces.admin_site import admin_access
from workspaces.errors import ApplicationError

PAYMENT_FIELDS = ("amount", "paid_at", "method", "reference", "notes")


class PaymentRowRefused(Exception):
    """The service refused the payment typed in one row of the page (an overpayment): the page is shown again
    with what was typed and the refusal beside that row's amount (`SupplierInvoiceAdmin.changeform_view`).
    Not an `ApplicationError`, so the refusal lands on its row rather than at the top of the form."""

    def __init__(self, prefix: str, error: ApplicationError) -> None:
        super().__init__(error.message)
        self.prefix = prefix
        self.error = error


class NewPaymentFormSet(BaseInlineFormSet):
    """Its rows are new payments only; a row the service refused (`refusal`) carries the refusal as its errors."""

    refusal: PaymentRowRefused | None = None

    @classmethod
    def get_default_prefix(cls) -> str:
        return "new_payments"  # the same on the add page (no recorded payments shown) and the change page

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and self.refusal is not None:
            for form in self.forms:
                if form.prefix == self.refusal.prefix:
                    add_service_errors(form, self.refusal.error, {})


class NewPaymentForm(ServiceCheckedForm):
    currency: str | None = None  # the invoice's, set per page by `NewPaymentInline`

    class Meta:
        model = SupplierPayment
        fields = PAYMENT_FIELDS
        widgets = {
            "reference": forms.TextInput(attrs={"class": "payment-reference"}),
            "notes": forms.Textarea(attrs={"rows": 1, "class": "payment-notes"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paid_at"].required = False
        self.fields["paid_at"].help_text = _("Empty: now.")
        self.fields["amount"].widget.attrs["class"] = "payment-amount"
        money_input(self, "amount", self.currency)


def _recorded_currency(inline, payment: SupplierPayment) -> str:
    return payment.invoice.currency


class PaymentInline(WorkspaceScopedInline):
    """The recorded payments, read-only (a payment is never edited: remove it and add it again)."""

    model = SupplierPayment
    fields = ("amount_display", "paid_at", "method_display", "reference", "notes", "recorded_by")
    readonly_fields = fields
    verbose_name = _("payment")
    verbose_name_plural = _("payments")
    amount_display = money_column("amount", _("amount"), _recorded_currency)
    recorded_by = actor_column(_("created by"))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("invoice", "created_by", "created_by_api_key")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("method"))
    def method_display(self, payment: SupplierPayment) -> str:
        return payment.get_method_display() or "—"


class NewPaymentInline(WorkspaceScopedInline):
    """One row to record a payment (more with "Add another"); only new rows, never the recorded ones."""

    model = SupplierPayment
    form = NewPaymentForm
    formset = NewPaymentFormSet
    fields = PAYMENT_FIELDS
    extra = 1
    can_delete = False
    verbose_name = _("payment")
    verbose_name_plural = _("add a payment")

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def get_formset(self, request, obj=None, **kwargs):
        access = admin_access(request)
        currency = obj.currency if obj is not None else (access.workspace.currency if access else None)
        kwargs["form"] = type("NewPaymentForm", (NewPaymentForm,), {"currency": currency})
        formset = super().get_formset(request, obj, **kwargs)
        formset.refusal = getattr(request, "_payment_refusal", None)
        return formset
