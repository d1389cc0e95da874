from django.urls import path

from pos.api import views
from pos.api.views import einvoicing, sync

base = "workspace/<id:workspace_id>/pos"
invoice = f"{base}/invoices/<id:invoice_id>"

urlpatterns = [
    path(f"{base}/sessions", views.SessionListView.as_view()),
    path(f"{base}/sessions/current", views.SessionCurrentView.as_view()),
    path(f"{base}/sessions/<id:session_id>", views.SessionDetailView.as_view()),
    path(f"{base}/sessions/<id:session_id>/report", views.SessionReportView.as_view()),
    path(f"{base}/sessions/<id:session_id>/close", views.SessionCloseView.as_view()),
    path(f"{base}/order-statuses", views.OrderStatusListView.as_view()),
    path(f"{base}/order-statuses/<id:status_id>", views.OrderStatusDetailView.as_view()),
    path(f"{base}/invoices", views.InvoiceListView.as_view()),
    path(invoice, views.InvoiceDetailView.as_view()),
    path(f"{invoice}/items", views.InvoiceItemListView.as_view()),
    path(f"{invoice}/items/<id:item_id>", views.InvoiceItemDetailView.as_view()),
    path(f"{invoice}/discounts", views.InvoiceDiscountListView.as_view()),
    path(f"{invoice}/discounts/<id:discount_id>", views.InvoiceDiscountDetailView.as_view()),
    path(f"{invoice}/complete", views.InvoiceCompleteView.as_view()),
    path(f"{invoice}/cancel", views.InvoiceCancelView.as_view()),
    path(f"{invoice}/receipt", views.InvoiceReceiptView.as_view()),
    path(f"{invoice}/returns", views.InvoiceReturnListView.as_view()),
    path(f"{invoice}/zatca", einvoicing.InvoiceZatcaView.as_view()),
    path(f"{invoice}/zatca.xml", einvoicing.InvoiceZatcaXmlView.as_view()),
    path(f"{base}/sync", sync.SyncView.as_view()),
    path(f"{base}/returns", views.ReturnListView.as_view()),
    path(f"{base}/returns/<id:return_id>", views.ReturnDetailView.as_view()),
    path(f"{base}/returns/<id:return_id>/receipt", views.ReturnReceiptView.as_view()),
    path(f"{base}/returns/<id:return_id>/zatca", einvoicing.ReturnZatcaView.as_view()),
    path(f"{base}/returns/<id:return_id>/zatca.xml", einvoicing.ReturnZatcaXmlView.as_view()),
]
