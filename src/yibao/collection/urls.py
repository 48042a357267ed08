"""The collection's pages: each subdomain's views module holds its own ``urlpatterns``, added here
one line each."""

from .views import agents

urlpatterns: list = [*agents.urlpatterns]
