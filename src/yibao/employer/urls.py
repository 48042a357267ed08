from django.urls import path

from . import unit_views, views

urlpatterns = [
    path("employer/", views.unit_home, name="employer"),
    path("employer/review/", views.queue, name="employer_queue"),
    path("employer/declarations/<int:pk>/", views.declaration_view, name="declaration"),
    path("employer/declarations/<int:pk>/lines/<int:line_id>/", views.line_update, name="declaration_line"),
    path("employer/declarations/<int:pk>/template.xlsx", views.template_download, name="declaration_template"),
    path("employer/declarations/<int:pk>/upload/", views.upload, name="declaration_upload"),
    path("employer/declarations/<int:pk>/errors.xlsx", views.error_report, name="declaration_errors"),
    path("employer/declarations/<int:pk>/forms/<str:form>.<str:ext>", views.form_download, name="declaration_form"),
    path("employer/declarations/<int:pk>/materials/", views.material_upload, name="declaration_material"),
    path("employer/declarations/<int:pk>/submit/", views.submit, name="declaration_submit"),
    path("employer/declarations/<int:pk>/confirm/", views.confirm, name="declaration_confirm"),
    path("employer/declarations/<int:pk>/reopen/", views.reopen, name="declaration_reopen"),
    path("employer/declarations/<int:pk>/review/", views.review, name="declaration_review"),
    path("employer/declarations/<int:pk>/bases/", views.approved_bases, name="declaration_bases"),
    path("employer/materials/<int:material_id>/", views.material_download, name="material"),
    path("employer/flexible/", views.flexible, name="flexible"),
    path("employer/average-wage/", views.average_wage, name="average_wage"),
    # units: registration, account opening, changes, status, counter service
    path("employer/units/", unit_views.units, name="units"),
    path("employer/units/new/", unit_views.register, name="unit_register"),
    path("employer/units/<int:pk>/", unit_views.unit, name="unit"),
    path("employer/units/<int:pk>/account/", unit_views.open_account, name="unit_account"),
    path("employer/units/<int:pk>/change/", unit_views.file_change, name="unit_change"),
    path("employer/units/<int:pk>/status/", unit_views.set_status, name="unit_status"),
    path("employer/units/<int:pk>/counter/", unit_views.counter_open, name="unit_counter"),
    path("employer/unit-changes/", unit_views.changes, name="unit_changes"),
    path("employer/unit-changes/<int:pk>/review/", unit_views.review_change, name="unit_change_review"),
    path("employer/counter/<int:pk>/upload/", unit_views.counter_upload, name="counter_upload"),
    path("employer/counter/<int:pk>/materials/", unit_views.counter_material, name="counter_material"),
    path("employer/counter/<int:pk>/submit/", unit_views.counter_submit, name="counter_submit"),
    path("employer/declarations/<int:pk>/notice/", unit_views.confirm_notice, name="declaration_notice"),
]
