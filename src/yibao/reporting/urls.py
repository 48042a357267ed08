"""The reports' pages: the progress dashboards' and the weekly report's, bulletin's and
submissions' routes, each views module holding its own ``urlpatterns``."""

from .views import progress, reports

urlpatterns: list = [*progress.urlpatterns, *reports.urlpatterns]
