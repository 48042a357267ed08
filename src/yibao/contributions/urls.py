from django.urls import path

from . import views

urlpatterns = [
    path("contributions/bills/", views.bills, name="contributions_bills"),
    path("contributions/bills/generate", views.generate, name="contributions_generate"),
    path("contributions/bills/<int:pk>/", views.bill, name="contributions_bill"),
    path("contributions/bills/<int:pk>.<str:ext>", views.bill_download, name="contributions_bill_download"),
    path("contributions/bills/<int:pk>/declare", views.declare, name="contributions_bill_declare"),
    path("contributions/statement/", views.statement, name="contributions_statement"),
    path("contributions/statement.<str:ext>", views.statement_download, name="contributions_statement_download"),
    path("contributions/bills/<int:pk>/pay", views.pay, name="contributions_bill_pay"),
    path("contributions/payments/<int:pk>/receipt.pdf", views.receipt_pdf, name="contributions_receipt_pdf"),
    path("contributions/staff/", views.staff, name="contributions_staff"),
    path("contributions/what-if/", views.what_if, name="contributions_what_if"),
    path("contributions/what-if/xlsx", views.what_if_xlsx, name="contributions_what_if_xlsx"),
    path("contributions/staff-changes/", views.staff_changes, name="contributions_staff_changes"),
    path("contributions/staff/add", views.staff_add, name="contributions_staff_add"),
    path("contributions/staff/remove", views.staff_remove, name="contributions_staff_remove"),
]
