import pytest

from yibao.regions.models import Agency, Division, EnrolmentTarget
from yibao.regions.services import load_reference_data

pytestmark = pytest.mark.django_db


def test_four_pooling_regions():
    assert set(Division.objects.filter(is_pooling_region=True).values_list("key", flat=True)) == {
        "370700", "371500", "371728", "140500"}


def test_loading_twice_changes_nothing():
    counts = (Division.objects.count(), Agency.objects.count(), EnrolmentTarget.objects.count())
    load_reference_data()
    assert (Division.objects.count(), Agency.objects.count(), EnrolmentTarget.objects.count()) == counts


def test_paths_describe_the_tree():
    kuiwen = Division.objects.get(key="370705")
    assert kuiwen.path == "370000/370700/370705/"
    assert Division.objects.get(key="370700").contains(kuiwen)
    dongming = Division.objects.get(key="371728")
    assert dongming.path == "370000/371700/371728/"
    townships = list(Division.objects.filter(level="township", path__startswith=dongming.path))
    assert len(townships) == 14
    for d in townships:
        assert d.path == d.parent.path + d.key + "/"


def test_targets_from_the_notices():
    from django.db.models import Sum

    def total(region):
        return EnrolmentTarget.objects.filter(region_id=region, year=2024).aggregate(s=Sum("target"))["s"]

    assert total("371728") == 713138
    assert total("140500") == 1583685
    assert EnrolmentTarget.objects.filter(region_id="371728").count() == 14


def test_weifang_agencies_with_phones():
    weifang = Agency.objects.filter(region_id="370700")
    assert weifang.get(name="市直").phones == "8102708"
    assert weifang.filter(phones__contains="转").exists()


def test_missing_file_is_a_clear_error(tmp_path):
    from yibao.regions.services import ReferenceDataError

    (tmp_path / "regions").mkdir()
    with pytest.raises(ReferenceDataError, match="divisions.csv"):
        load_reference_data(tmp_path)
