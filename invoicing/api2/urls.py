"""api2 routes (seed 004), served at both /api2/ and /api2/api2/ (config/urls.py).

Every path also answers without `.json` (PRODUCT.md section 8): the public clients of this API, the vendor's own
WooCommerce plugin among them, call `/api2/invoices` and `/api2/invoices/:id`. The same views; the aliases are left
out of the OpenAPI schema (`schema=None`), so each operation is documented once, under its `.json` path."""

from django.urls import path

from invoicing.api2 import views

urlpatterns = [
    path("invoices.json", views.InvoiceListView.as_view()),
    path("invoices/<id:pk>.json", views.InvoiceDetailView.as_view()),
    path("invoices/<id:pk>/zatca.xml", views.InvoiceZatcaXmlView.as_view()),
    path("invoices", views.InvoiceListView.as_view(schema=None)),
    path("invoices/<id:pk>", views.InvoiceDetailView.as_view(schema=None)),
]
