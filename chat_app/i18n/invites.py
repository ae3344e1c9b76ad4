"""UI strings of invite links: the page that opens one, and managing them (both languages)."""
# ruff: noqa: RUF001  (Chinese UI text uses Chinese punctuation on purpose)

from __future__ import annotations

EN: dict[str, str] = {
    # Refusals of the invite services.
    "invite_invalid": (
        "This invite link is not valid. It may have expired, been used up or been revoked. "
        "Ask whoever sent it for a new one."
    ),
    "invite_too_many_guesses": "Too many invalid links were opened from here. Try again later.",
    "invite_existing_accounts_only": (
        "This invite lets people who already have an account join the group. Log in to join."
    ),
    "invite_have_account": "You already have an account on this chat.",
    "invite_gone": "That invite link is no longer available.",
    "invite_expiry_invalid": "Choose one of the offered expiry times.",
    "invite_uses_invalid": "The number of uses must be between 1 and 1000.",
    # The invite page.
    "invite_page_title": "Invitation",
    "invite_to_server": "You are invited to this chat",
    "invite_to_group": "Join {name} on this chat",
    "invite_register_intro": "Create your account to start chatting.",
    "invite_have_account_login": "Already have an account? Log in",
    "invite_login_intro": "Log in with your account to join the group.",
    "invite_new_account": "New here? Create an account",
    "invite_signed_in_as": "You are logged in as {name}.",
    "invite_join_group": "Join the group",
    "invite_open_chat": "Go to the chat",
    # Managing invites.
    "invite_link_entry": "Invite link",
    "invite_links_title": "Invite links",
    "invite_expiry_label": "Expires after",
    "invite_expiry_1h": "1 hour",
    "invite_expiry_1d": "1 day",
    "invite_expiry_7d": "7 days",
    "invite_expiry_30d": "30 days",
    "invite_uses_label": "Uses",
    "invite_create": "Create link",
    "invite_copy": "Copy",
    "invite_copied": "Link copied.",
    "invite_shown_once": "Copy the link now: it is shown only once.",
    "invite_revoke": "Revoke",
    "invite_none": "No invite links yet.",
    "invite_state_active": "Active",
    "invite_state_expired": "Expired",
    "invite_state_used_up": "Used up",
    "invite_state_revoked": "Revoked",
    "invite_more": "Older",
    "invite_newer": "Newer",
}

ZH: dict[str, str] = {
    "invite_invalid": "此邀请链接无效。它可能已过期、已用完或已被撤销。请向发送者索取新的链接。",
    "invite_too_many_guesses": "从这里打开的无效链接过多，请稍后再试。",
    "invite_existing_accounts_only": "此邀请仅允许已有账号的用户加入群组。请登录后加入。",
    "invite_have_account": "你已经在此聊天服务上有账号了。",
    "invite_gone": "该邀请链接已不存在。",
    "invite_expiry_invalid": "请选择提供的有效期之一。",
    "invite_uses_invalid": "使用次数必须在 1 到 1000 之间。",
    "invite_page_title": "邀请",
    "invite_to_server": "你受邀加入此聊天",
    "invite_to_group": "在此聊天中加入 {name}",
    "invite_register_intro": "创建账号即可开始聊天。",
    "invite_have_account_login": "已有账号？登录",
    "invite_login_intro": "使用你的账号登录以加入群组。",
    "invite_new_account": "新用户？创建账号",
    "invite_signed_in_as": "你已以 {name} 的身份登录。",
    "invite_join_group": "加入群组",
    "invite_open_chat": "进入聊天",
    "invite_link_entry": "邀请链接",
    "invite_links_title": "邀请链接",
    "invite_expiry_label": "有效期",
    "invite_expiry_1h": "1 小时",
    "invite_expiry_1d": "1 天",
    "invite_expiry_7d": "7 天",
    "invite_expiry_30d": "30 天",
    "invite_uses_label": "使用次数",
    "invite_create": "创建链接",
    "invite_copy": "复制",
    "invite_copied": "链接已复制。",
    "invite_shown_once": "请立即复制链接：它只显示这一次。",
    "invite_revoke": "撤销",
    "invite_none": "还没有邀请链接。",
    "invite_state_active": "有效",
    "invite_state_expired": "已过期",
    "invite_state_used_up": "已用完",
    "invite_state_revoked": "已撤销",
    "invite_more": "更早",
    "invite_newer": "更新",
}
