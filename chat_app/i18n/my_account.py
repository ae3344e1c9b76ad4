"""UI strings of "My account": nickname, devices, deleting the account (both languages)."""

from __future__ import annotations

EN: dict[str, str] = {
    "menu_my_account": "My account",
    "account_title": "My account",
    "account_back": "Back to chats",
    "account_nickname_heading": "Nickname",
    "account_nickname_hint": "Your friends and the members of your groups see it at once.",
    "account_nickname_saved": "Your nickname was changed.",
    "account_devices_heading": "My devices",
    "account_devices_hint": "Where you are logged in. Log out a device you do not recognise.",
    "account_this_device": "This device",
    "account_unknown_browser": "Unknown browser",
    "account_unknown_system": "Unknown system",
    "account_last_active": "Last active: ",
    "account_address": "Address: ",
    "account_unknown_address": "unknown",
    "account_log_out_device": "Log out this device",
    "account_device_logged_out": "That device was logged out.",
    "account_device_gone": "That device is no longer logged in.",
    "account_log_out_others": "Log out all other devices",
    "account_log_out_others_question": (
        "Log out every device but this one? Their open tabs go to the login page."
    ),
    "account_log_out_others_confirm": "Log out all",
    "account_other_devices_logged_out": "Your other devices were logged out.",
    "account_no_other_devices": "No other device is logged in.",
    "account_delete_heading": "Delete my account",
    "account_delete_hint": (
        "Your nickname, picture, friends and devices are removed; your username stays "
        "reserved. Messages and files you sent stay for the others, shown from "
        "\u201cDeleted user\u201d. Groups you own are handed over. This cannot be undone."
    ),
    "account_delete_button": "Delete my account",
    "account_delete_confirm": "I understand that my account is deleted for good.",
    "account_delete_confirm_missing": "Tick the box to confirm.",
    "account_deleted_notice": "Your account was deleted.",
    "account_last_admin": (
        "You are the only administrator: make someone else an administrator first."
    ),
}

ZH: dict[str, str] = {
    "menu_my_account": "我的账号",
    "account_title": "我的账号",
    "account_back": "返回聊天",
    "account_nickname_heading": "昵称",
    "account_nickname_hint": "你的好友和群成员会立即看到新昵称。",
    "account_nickname_saved": "昵称已修改。",
    "account_devices_heading": "我的设备",
    "account_devices_hint": "你已登录的设备。不认识的设备可以将其登出。",
    "account_this_device": "本设备",
    "account_unknown_browser": "未知浏览器",
    "account_unknown_system": "未知系统",
    "account_last_active": "最近活动：",
    "account_address": "地址：",
    "account_unknown_address": "未知",
    "account_log_out_device": "登出此设备",
    "account_device_logged_out": "该设备已登出。",
    "account_device_gone": "该设备已不在登录状态。",
    "account_log_out_others": "登出所有其他设备",
    "account_log_out_others_question": "登出除本设备以外的所有设备？它们打开的页面会回到登录页。",
    "account_log_out_others_confirm": "全部登出",
    "account_other_devices_logged_out": "其他设备已全部登出。",
    "account_no_other_devices": "没有其他已登录的设备。",
    "account_delete_heading": "注销我的账号",
    "account_delete_hint": (
        "你的昵称、头像、好友和设备将被删除；用户名仍被保留。你发送的消息和文件会留给"
        "其他人，显示为“已注销用户”。你创建的群将移交给他人。此操作无法撤销。"
    ),
    "account_delete_button": "注销我的账号",
    "account_delete_confirm": "我了解账号将被永久注销。",
    "account_delete_confirm_missing": "请勾选以确认。",
    "account_deleted_notice": "你的账号已注销。",
    "account_last_admin": "你是唯一的管理员：请先将其他人设为管理员。",
}
