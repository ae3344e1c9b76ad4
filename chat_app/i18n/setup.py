"""UI strings of the first administrator: the setup code and the /setup page (both languages)."""

from __future__ import annotations

EN: dict[str, str] = {
    "field_setup_code": "Setup code",
    "hint_setup_code": (
        "The first account administers this server: enter the code the server printed in "
        "its log when it started."
    ),
    "setup_code_missing": "Enter the setup code from the server's log.",
    "setup_code_wrong": "That is not this server's setup code.",
    "setup_admin_exists": "This server already has an administrator.",
    "setup_too_many_guesses": "Too many wrong codes from your address. Try again in an hour.",
    "setup_title": "Become the administrator",
    "setup_intro": (
        "This server has no administrator yet. Enter the setup code the server printed in its "
        "log (or `python -m chat_app.admin setup-code` shows) to become its administrator."
    ),
    "setup_claim": "Become administrator",
    "setup_claimed": "You are now the administrator of this server.",
    "setup_back": "Back to the chat",
}

ZH: dict[str, str] = {
    "field_setup_code": "初始化码",
    "hint_setup_code": (
        "第一个账号将成为本服务器的管理员：请输入服务器启动时在日志中打印的初始化码。"
    ),
    "setup_code_missing": "请输入服务器日志中的初始化码。",
    "setup_code_wrong": "这不是本服务器的初始化码。",
    "setup_admin_exists": "本服务器已有管理员。",
    "setup_too_many_guesses": "你的地址输错初始化码的次数过多，请一小时后再试。",
    "setup_title": "成为管理员",
    "setup_intro": (
        "本服务器还没有管理员。输入服务器在日志中打印的初始化码"
        "（或运行 `python -m chat_app.admin setup-code` 查看），即可成为管理员。"
    ),
    "setup_claim": "成为管理员",
    "setup_claimed": "你现在是本服务器的管理员。",
    "setup_back": "返回聊天",
}
