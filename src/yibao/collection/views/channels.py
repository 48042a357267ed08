"""缴费渠道 pages for the administrator: the channels of every pooling region, a new channel (its
token shown once, on the answer to the form, never again), revoking a token. Thin: one selector
or service each, the same as ``yibao collection channel-token``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from yibao.access.permissions import require
from yibao.regions import selectors as regions

from .. import selectors
from ..errors import AppError
from ..services import channels as services

CAPABILITY = "collection.channels"


@require(CAPABILITY)
def channel_list(request):
    token = None
    if request.method == "POST":
        try:
            made, token = services.create_channel(request.POST.get("name", ""), region=request.POST.get("region", ""),
                                                  actor=request.user)
            messages.success(request, f"已创建缴费渠道“{made.name}”。令牌只在此页显示这一次，请立即交给渠道方。")
        except AppError as exc:
            messages.error(request, str(exc))
    return render(request, "collection/channels.html", {
        "channels": selectors.channels().select_related("region"), "token": token,
        "regions": regions.pooling_regions(),
        "posted": request.POST if request.method == "POST" and token is None else {}})


@require(CAPABILITY)
@require_POST
def channel_revoke(request, pk: int):
    channel = selectors.channels().filter(pk=pk).first()
    if channel is None:
        raise Http404("缴费渠道不存在。")
    try:
        services.revoke_channel(channel, actor=request.user)
        messages.success(request, f"已吊销缴费渠道“{channel.name}”的令牌，此后用它提交的缴费一律拒绝（401）。")
    except AppError as exc:
        messages.error(request, str(exc))
    return redirect("collection_channels")


urlpatterns = [
    path("collection/channels/", channel_list, name="collection_channels"),
    path("collection/channels/<int:pk>/revoke/", channel_revoke, name="collection_channel_revoke"),
]
