"""The collection's pages: each subdomain's views module holds its own ``urlpatterns``, added here
one line each."""

from .views import agents, family, fund, paid_lists, refunds, statements

urlpatterns: list = []
urlpatterns += agents.urlpatterns
urlpatterns += statements.urlpatterns
urlpatterns += refunds.urlpatterns
urlpatterns += paid_lists.urlpatterns
urlpatterns += fund.urlpatterns
urlpatterns += family.urlpatterns
