"""Apps register their navigation, home panels and subcommands; an entry is offered only to
roles holding its capability and to users whose pooling region runs its scheme."""

import pytest
from django.urls import reverse

from yibao import registry
from yibao.access.roles import Role
from yibao.accounts.services import create_user
from yibao.employer.models import FlexibleWorker
from yibao.identity import resident_id_check_char
from yibao.regions.models import Division

PASSWORD = "Xx-123456789"


def _person(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


@pytest.fixture
def managers(db):
    return {key: create_user(role=Role.BUREAU_MANAGER, username=f"mgr.{key}", password=PASSWORD,
                             division=Division.objects.get(key=key)) for key in ("370700", "140500")}


def _nav(user) -> set[str]:
    return {e.url_name for e in registry.navigation_for(user)}


def test_a_region_without_the_employee_scheme_is_not_offered_its_review(managers):
    assert "employer_queue" in _nav(managers["370700"])
    jincheng = _nav(managers["140500"])
    assert "employer_queue" not in jincheng
    assert {"home", "regions", "policy"} <= jincheng  # platform entries stay


def test_the_nav_and_home_page_follow_the_registry(client, managers):
    client.force_login(managers["140500"])
    page = client.get(reverse("home")).content.decode()
    assert "基数申报审核" not in page and "政策查询" in page
    client.force_login(managers["370700"])
    assert "基数申报审核" in client.get(reverse("home")).content.decode()


def test_only_a_registered_flexible_worker_is_offered_the_flexible_page(client, db):
    dongming = create_user(role=Role.INDIVIDUAL, username=_person("37172819900315003"), password=PASSWORD)
    weifang_number = _person("37070519800101124")
    FlexibleWorker.objects.create(id_number=weifang_number, name="张灵活", region_id="370700")
    weifang = create_user(role=Role.INDIVIDUAL, username=weifang_number, password=PASSWORD)
    assert "flexible" not in _nav(dongming)
    assert "flexible" in _nav(weifang)
    client.force_login(dongming)
    home = client.get(reverse("home")).content.decode()
    assert "灵活就业缴费基数" not in home
    assert "城乡居民医保" in home  # 东明 runs the resident scheme: its resident is offered it
    client.force_login(weifang)
    home = client.get(reverse("home")).content.decode()
    assert "灵活就业缴费基数" in home and "城乡居民医保" not in home


def test_a_capability_is_still_required(managers):
    clerk = create_user(role=Role.AGENCY_CLERK, username="clerk.x", password=PASSWORD,
                        division=Division.objects.get(key="370700"))
    assert "average_wage" not in _nav(clerk) and "average_wage" not in _nav(managers["370700"])
    admin = create_user(role=Role.ADMIN, username="admin.x", password=PASSWORD)
    assert {"average_wage", "employer_queue", "audit"} <= _nav(admin)


def test_apps_register_routes_and_subcommands():
    assert "yibao.employer.urls" in registry.url_modules()
    assert "/employer" in dict(registry.api_routers())
    assert "employer" in {c.name for c in registry.commands()}
    from yibao.cli import build_parser

    args = build_parser().parse_args(["employer", "--as", "admin", "queue"])
    assert args.action == "queue"
