"""缴费渠道, the administrator's page for both schemes: the channels of every pooling region, a
new channel (its token shown once, on the answer to the form, never again), revoking a token.
Thin: one selector or service each, the same as ``yibao channels``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from yibao.access.permissions import require
from yibao.regions import selectors as regions

from . import selectors
from .errors import AppError
from .models import Scheme
from .services import channels as services

CAPABILITY = "channels.manage"


@require(CAPABILITY)
def channel_list(request):
    token = None
    if request.method == "POST":
        try:
            made, token = services.create_channel(request.POST.get("name", ""), region=request.POST.get("region", ""),
                                                  schemes=request.POST.getlist("schemes"), actor=request.user)
            messages.success(request, f"已创建缴费渠道“{made.name}”。令牌只在此页显示这一次，请立即交给渠道方。")
        except AppError as exc:
            messages.error(request, str(exc))
    posted = request.POST if request.method == "POST" and token is None else {}
    return render(request, "channels/channels.html", {
        "channels": selectors.channels_for(request.user), "token": token,
        "regions": regions.pooling_regions(), "schemes": Scheme.choices,
        "posted": posted, "posted_schemes": posted.getlist("schemes") if posted else [Scheme.RESIDENT]})


@require(CAPABILITY)
@require_POST
def channel_revoke(request, pk: int):
    channel = selectors.channel_for(request.user, pk)
    if channel is None:
        raise Http404("缴费渠道不存在。")
    try:
        services.revoke_channel(channel, actor=request.user)
        messages.success(request, f"已吊销缴费渠道“{channel.name}”的令牌，此后用它提交的缴费一律拒绝（401）。")
    except AppError as exc:
        messages.error(request, str(exc))
    return redirect("channels")


urlpatterns = [
    path("channels/", channel_list, name="channels"),
    path("channels/<int:pk>/revoke/", channel_revoke, name="channel_revoke"),
]
