from django.urls import path

from . import views

urlpatterns = [
    path("gaps/", views.index, name="gaps"),
    path("gaps/import/", views.start_import, name="gaps_import"),
    path("gaps/villages/<str:village>/", views.village, name="gaps_village"),
    path("gaps/villages/<str:village>/export.xlsx", views.village_export, name="gaps_village_export"),
    path("gaps/flags/", views.flags, name="gaps_flags"),
    path("gaps/flags/<int:pk>/clear/", views.flag_clear, name="gaps_flag_clear"),
    path("gaps/duplicates/", views.duplicates, name="gaps_duplicates"),
    path("gaps/duplicates/<str:id_number>/resolve/", views.resolve, name="gaps_resolve"),
]
