"""The collection's pages, one module per subdomain, each with its ``urlpatterns``."""
