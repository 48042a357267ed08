from .views_reports import urlpatterns  # noqa: F401
