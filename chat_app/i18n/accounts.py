"""UI strings of account administration: roles, disabled and deleted accounts, resets."""

from __future__ import annotations

EN: dict[str, str] = {
    "admin_only": "Only an administrator can do this.",
    "last_admin": "This is the last administrator. Make someone else an administrator first.",
    "cannot_disable_self": "You cannot disable your own account.",
    "account_deleted": "This account has been deleted.",
    "account_disabled": "This account is disabled. Ask the server's administrator.",
    "deleted_user": "Deleted user",
    "reset_invalid": "This link is invalid or has expired. Ask the administrator for a new one.",
    "reset_title": "Set a new password",
    "reset_for_before": "Set a new password for ",
    "reset_for_after": "",
    "reset_submit": "Set password and log in",
    "reset_to_login": "Go to the login page",
}

ZH: dict[str, str] = {
    "admin_only": "只有管理员可以执行此操作。",
    "last_admin": "这是最后一位管理员。请先将其他人设为管理员。",
    "cannot_disable_self": "你不能停用自己的账号。",
    "account_deleted": "该账号已注销。",
    "account_disabled": "该账号已被停用。请联系服务器管理员。",
    "deleted_user": "已注销用户",
    "reset_invalid": "此链接无效或已过期。请向管理员索取新的链接。",
    "reset_title": "设置新密码",
    "reset_for_before": "为 ",
    "reset_for_after": " 设置新密码",
    "reset_submit": "设置密码并登录",
    "reset_to_login": "前往登录页面",
}
