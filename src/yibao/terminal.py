"""What every command line of the project shares: a progress bar and the acting account."""

from __future__ import annotations


def bar(percent: int, width: int = 30) -> str:
    filled = width * percent // 100
    return "[" + "#" * filled + "-" * (width - filled) + f"] {percent:3d}%"


def actor(username: str):
    """The active account a command acts as (every write is audited under it)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise SystemExit(f"用户 {username} 不存在或已停用")
    return user
