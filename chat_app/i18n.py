"""Every UI string, one table per language. A leaf module: pure data and a lookup.

Keys are stable identifiers; services return error codes that are keys here.
"""

from __future__ import annotations

DEFAULT_LANGUAGE = "en"

EN: dict[str, str] = {
    "app_name": "Chat",
    "loading": "Loading…",
    # auth page
    "tab_login": "Log in",
    "tab_register": "Register",
    "field_username": "Username",
    "field_nickname": "Nickname",
    "field_password": "Password",
    "field_password_confirm": "Confirm password",
    "field_current_password": "Current password",
    "field_new_password": "New password",
    "field_new_password_confirm": "Confirm new password",
    "hint_username": "3-32 letters, digits or _",
    "hint_nickname": "The name your friends see, any language",
    "hint_password": "8-128 characters",
    "button_login": "Log in",
    "button_register": "Create account",
    "button_cancel": "Cancel",
    "button_save": "Save",
    # chat shell
    "menu_user": "Account menu",
    "menu_change_password": "Change password",
    "menu_logout": "Log out",
    "menu_logout_everywhere": "Log out everywhere",
    "friends_title": "Friends",
    "friends_empty": "No friends yet.",
    "conversation_empty": "Pick a friend to start chatting.",
    "logged_out_title": "You are logged out",
    "logged_out_link": "Go to the login page",
    "password_changed": "Password changed. Your other devices were logged out.",
    "logged_out_everywhere": "You were logged out on every device.",
    # errors (service codes)
    "error": "Something went wrong. Please try again.",
    "username_required": "Enter a username.",
    "username_invalid": "Use 3-32 letters, digits or underscores.",
    "username_taken": "That username is taken.",
    "nickname_required": "Enter a nickname.",
    "nickname_too_long": "Use at most 32 characters.",
    "nickname_invalid": "The nickname contains characters that are not allowed.",
    "password_too_short": "Use at least 8 characters.",
    "password_too_long": "Use at most 128 characters.",
    "password_mismatch": "The passwords do not match.",
    "current_password_wrong": "The current password is wrong.",
    "invalid_credentials": "Wrong username or password.",
    "too_many_attempts": "Too many failed attempts. Try again in {minutes} minutes.",
    "not_authenticated": "Your session has ended. Please log in again.",
}

ZH: dict[str, str] = {
    "app_name": "聊天",
    "loading": "加载中…",
    "tab_login": "登录",
    "tab_register": "注册",
    "field_username": "用户名",
    "field_nickname": "昵称",
    "field_password": "密码",
    "field_password_confirm": "确认密码",
    "field_current_password": "当前密码",
    "field_new_password": "新密码",
    "field_new_password_confirm": "确认新密码",
    "hint_username": "3-32 个字母、数字或下划线",
    "hint_nickname": "好友看到的名字，可用任何语言",
    "hint_password": "8-128 个字符",
    "button_login": "登录",
    "button_register": "创建账号",
    "button_cancel": "取消",
    "button_save": "保存",
    "menu_user": "账号菜单",
    "menu_change_password": "修改密码",
    "menu_logout": "退出登录",
    "menu_logout_everywhere": "退出所有设备",
    "friends_title": "好友",
    "friends_empty": "还没有好友。",
    "conversation_empty": "选择一位好友开始聊天。",
    "logged_out_title": "你已退出登录",
    "logged_out_link": "前往登录页",
    "password_changed": "密码已修改，其他设备已退出登录。",
    "logged_out_everywhere": "你已在所有设备上退出登录。",
    "error": "出了点问题，请重试。",
    "username_required": "请输入用户名。",
    "username_invalid": "请使用 3-32 个字母、数字或下划线。",
    "username_taken": "该用户名已被占用。",
    "nickname_required": "请输入昵称。",
    "nickname_too_long": "昵称最多 32 个字符。",
    "nickname_invalid": "昵称包含不允许的字符。",
    "password_too_short": "密码至少 8 个字符。",
    "password_too_long": "密码最多 128 个字符。",
    "password_mismatch": "两次输入的密码不一致。",
    "current_password_wrong": "当前密码不正确。",
    "invalid_credentials": "用户名或密码错误。",
    "too_many_attempts": "失败次数过多，请在 {minutes} 分钟后重试。",
    "not_authenticated": "会话已结束，请重新登录。",
}

TABLES: dict[str, dict[str, str]] = {"en": EN, "zh": ZH}


def text(key: str, language: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The UI string for `key` in `language`, with `{name}` placeholders filled.

    Args:
        key: A key of the tables (unknown keys fall back to the generic error).
        language: "en" or "zh"; anything else uses the default language.
        **values: Values for the placeholders.

    Returns:
        The localised text.
    """
    table = TABLES.get(language, TABLES[DEFAULT_LANGUAGE])
    template = table.get(key) or table["error"]
    return template.format(**values) if values else template
