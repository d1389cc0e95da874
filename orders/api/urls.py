"""`/orders` and `/invoices` (seed 003), included at the root by config/urls.py."""

from django.urls import path

from orders.api import views

urlpatterns = [
    path("orders", views.OrderListView.as_view(), name="orders"),
    path("orders/<id:pk>", views.OrderDetailView.as_view(), name="order"),
    path("orders/<id:pk>/cancel", views.OrderCancelView.as_view(), name="order-cancel"),
    path("invoices", views.InvoiceListView.as_view(), name="order-invoices"),
    path("invoices/<id:pk>", views.InvoiceDetailView.as_view(), name="order-invoice"),
    path("invoices/<id:pk>/zatca.xml", views.InvoiceZatcaXmlView.as_view(), name="order-invoice-zatca-xml"),
]
