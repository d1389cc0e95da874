from django.urls import path

from invoicing.api import views, zatca

urlpatterns = [
    path("workspace/<id:workspace_id>/taxes", views.TaxListView.as_view()),
    path("workspace/<id:workspace_id>/taxes/<id:tax_id>", views.TaxDetailView.as_view()),
    path("workspace/<id:workspace_id>/products", views.ProductListView.as_view()),
    path("workspace/<id:workspace_id>/products/<id:product_id>", views.ProductDetailView.as_view()),
    path("workspace/<id:workspace_id>/stores/<id:store_id>/stock", views.StockListView.as_view()),
    path(
        "workspace/<id:workspace_id>/stores/<id:store_id>/stock-adjustments",
        views.StockAdjustmentView.as_view(),
    ),
    path("workspace/<id:workspace_id>/stores/<id:store_id>/zatca", zatca.DeviceView.as_view()),
    path("workspace/<id:workspace_id>/stores/<id:store_id>/zatca/onboard", zatca.OnboardView.as_view()),
]
