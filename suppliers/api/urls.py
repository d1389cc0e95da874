from django.urls import path

from suppliers.api import views

base = "workspace/<id:workspace_id>"
supplier = f"{base}/suppliers/<id:supplier_id>"
invoice = f"{supplier}/invoices/<id:invoice_id>"

urlpatterns = [
    path(f"{base}/suppliers", views.SupplierListView.as_view()),
    path(supplier, views.SupplierDetailView.as_view()),
    path(f"{supplier}/invoices", views.SupplierInvoiceListView.as_view()),
    path(f"{supplier}/invoice-image", views.SupplierInvoiceImageView.as_view()),
    path(invoice, views.SupplierInvoiceDetailView.as_view()),
    path(f"{invoice}/payments", views.SupplierPaymentListView.as_view()),
    path(f"{invoice}/payments/<id:payment_id>", views.SupplierPaymentDetailView.as_view()),
    path(f"{base}/supplier-invoices", views.InvoiceListView.as_view()),
    path(f"{base}/supplier-invoices/export", views.InvoiceExportView.as_view()),
    path(f"{base}/supplier-invoices/aging", views.AgingView.as_view()),
    path(f"{base}/files/<str:file_name>", views.SupplierFileView.as_view()),
]
