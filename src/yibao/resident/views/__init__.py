"""The resident scheme's pages, one module per subdomain (registration, coverage, imports,
changes, roster), each with its ``urlpatterns``."""
