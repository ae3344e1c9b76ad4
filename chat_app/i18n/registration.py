"""UI strings of registration modes and the first administrator (both languages)."""

from __future__ import annotations

EN: dict[str, str] = {
    "registration_invite_only": (
        "This server accepts new accounts by invitation only. Ask its administrator for an "
        "invite link."
    ),
    "registration_closed": (
        "This server does not accept new accounts. Ask its administrator to create one for you."
    ),
}

ZH: dict[str, str] = {
    "registration_invite_only": "本服务器仅接受受邀注册。请向管理员索取邀请链接。",
    "registration_closed": "本服务器暂不接受新账号注册。请联系管理员为你创建账号。",
}
