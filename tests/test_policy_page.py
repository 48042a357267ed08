"""The policy engine through the web page: answers with Chinese titles and their citations,
refusals with the missing parameter named."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_answer_shows_titles_values_and_the_notice(client_for):
    page = client_for("township.dongming").get(reverse("policy"), {
        "region": "371728", "question": "resident.premium", "input": "insurance_year=2024\ncategories=低保对象"})
    assert page.status_code == 200
    html = page.content.decode()
    titles = dict((name, title) for title, name, _ in page.context["values"])
    assert page.context["answer"]["values"]["payable"] == "266.00"
    assert titles["payable"] != "payable"  # shown under its Chinese title
    assert titles["payable"] in html and "266.00" in html
    assert "东政办字〔2023〕26号" in html


def test_a_refusal_names_what_the_notice_does_not_say(client_for):
    page = client_for("manager.jincheng").get(reverse("policy"), {
        "region": "140500", "question": "resident.benefit_start",
        "input": "insurance_year=2024\nkind=newborn\npaid_on=2024-05-01\nbirth_date=2024-03-10"})
    assert page.status_code == 200
    answer = page.context["answer"]
    assert answer["ok"] is False and answer["error"]["code"] == "not_configured"
    assert answer["error"]["missing"] and "缺少参数" in page.content.decode()
