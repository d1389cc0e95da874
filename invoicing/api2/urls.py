"""api2 routes (seed 004), served at both /api2/ and /api2/api2/ (config/urls.py)."""

from django.urls import path

from invoicing.api2 import views

urlpatterns = [
    path("invoices.json", views.InvoiceListView.as_view()),
    path("invoices/<id:pk>.json", views.InvoiceDetailView.as_view()),
]
