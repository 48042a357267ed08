"""The resident scheme's pages: each subdomain's views module holds its own ``urlpatterns``."""

from .views import changes, coverage, imports, registration, roster

urlpatterns = [*registration.urlpatterns, *coverage.urlpatterns, *imports.urlpatterns, *changes.urlpatterns,
               *roster.urlpatterns]
