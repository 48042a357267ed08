"""Pages of persons and coverage (the person search, a person's page, the resident's own page)."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path

from yibao.access.permissions import require


@require("resident.view")
def persons(request):
    return render(request, "resident/persons.html", {})


@require("resident.self")
def me(request):
    return render(request, "resident/me.html", {})


urlpatterns = [
    path("resident/persons/", persons, name="resident_persons"),
    path("resident/me/", me, name="resident_me"),
]
