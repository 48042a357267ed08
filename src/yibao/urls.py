from django.urls import include, path

from yibao import registry
from yibao.api import api
from yibao.web import policy_page, views

handler403 = "yibao.web.views.forbidden"
handler404 = "yibao.web.views.not_found"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("account/password/", views.password_change_view, name="password_change"),
    path("regions/", views.regions_view, name="regions"),
    path("policy/", policy_page.policy_view, name="policy"),
    path("policy/gaps/", policy_page.gaps_view, name="policy_gaps"),
    path("audit/", views.audit_view, name="audit"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("jobs/<uuid:job_id>/", views.job_view, name="job"),
    path("jobs/<uuid:job_id>/download/", views.job_download, name="job_download"),
    path("api/v1/", api.urls),
]
# Each domain app registers its page routes (yibao.registry): adding an app edits no file here.
urlpatterns += [path("", include(module)) for module in registry.url_modules()]
