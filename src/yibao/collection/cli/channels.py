"""``yibao collection channel-token NAME --region CODE``, ``channels`` and ``revoke-token ID``:
the resident collection's older names for ``yibao channels create/list/revoke`` (the same
handlers; a channel made here posts to the resident scheme unless ``--scheme`` says otherwise)."""

from __future__ import annotations

from yibao.channels import cli as channels


def configure(sub) -> None:
    channels.add_create(sub, "channel-token", default_scheme="resident")
    channels.add_list(sub, "channels")
    channels.add_revoke(sub, "revoke-token")


COMMANDS = {"channel-token": (channels.CAPABILITY, channels.create, False),
            "channels": (channels.CAPABILITY, channels.list_, False),
            "revoke-token": (channels.CAPABILITY, channels.revoke, False)}
