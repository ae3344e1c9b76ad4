"""UI strings of what a message's menu does (both languages)."""

from __future__ import annotations

EN: dict[str, str] = {
    "message_actions_label": "Message actions",
    "message_delete_everyone": "Delete for everyone",
    "message_delete_title": "Delete this message for everyone?",
    "message_delete_text": (
        "Everyone in this chat will see “This message was deleted” in its place. "
        "Its text or file is removed and cannot be brought back."
    ),
    "message_delete_confirm": "Delete",
    "message_deleted": "This message was deleted",
    "preview_deleted": "Message deleted",
    "delete_not_yours": "You can delete only your own messages.",
    "too_many_deletions": "Too many deletions at once. Wait a minute and try again.",
    "message_edit": "Edit",
    "message_edit_title": "Edit message",
    "message_edit_save": "Save",
    "message_edited": "edited",
    "edit_not_yours": "You can edit only your own text messages.",
    "too_many_edits": "Too many edits at once. Wait a minute and try again.",
    "too_many_reactions": "Too many reactions at once. Wait a minute and try again.",
    "message_reply": "Reply",
    "message_copy": "Copy",
    "message_copied": "Copied",
    "reply_cancel": "Cancel the reply",
    "reply_go_to": "Go to the message this replies to",
    "reply_before_you_joined": "A message from before you joined",
    "reply_not_found": "The message you replied to is not in this chat.",
    "message_delete_for_me": "Delete for me",
    "message_hide_title": "Delete this message for you?",
    "message_hide_text": (
        "It disappears from this chat, your searches and your exports on all your devices. "
        "The others in this chat still see it."
    ),
    "too_many_hides": "Too many deletions at once. Wait a minute and try again.",
    "message_forward": "Forward",
    "forward_title": "Forward to…",
    "forward_text": "A copy goes to the chat you choose, sent by you.",
    "forward_filter": "Find a chat",
    "forward_sent": "Sent",
    "forward_none": "No chat by that name.",
    "too_many_forwards": "Too many forwards at once. Wait a minute and try again.",
}

ZH: dict[str, str] = {
    "message_actions_label": "消息操作",
    "message_delete_everyone": "为所有人删除",
    "message_delete_title": "为所有人删除这条消息？",
    "message_delete_text": (
        "聊天中的每个人都会看到“此消息已删除”。消息的文字或文件将被移除，无法恢复。"
    ),
    "message_delete_confirm": "删除",
    "message_deleted": "此消息已删除",
    "preview_deleted": "[消息已删除]",
    "delete_not_yours": "你只能删除自己发送的消息。",
    "too_many_deletions": "删除过于频繁，请一分钟后再试。",
    "message_edit": "编辑",
    "message_copy": "复制",
    "message_copied": "已复制",
    "message_edit_title": "编辑消息",
    "message_edit_save": "保存",
    "message_edited": "已编辑",
    "edit_not_yours": "你只能编辑自己发送的文字消息。",
    "too_many_edits": "编辑过于频繁，请一分钟后再试。",
    "too_many_reactions": "回应过于频繁，请一分钟后再试。",
    "message_reply": "回复",
    "reply_cancel": "取消回复",
    "reply_go_to": "跳到被回复的消息",
    "reply_before_you_joined": "你加入群聊之前的一条消息",
    "reply_not_found": "你回复的消息不在这个聊天中。",
    "message_delete_for_me": "仅为我删除",
    "message_hide_title": "仅为你删除这条消息？",
    "message_hide_text": (
        "它会从你所有设备上的这个聊天、你的搜索和导出中消失。聊天中的其他人仍能看到它。"
    ),
    "too_many_hides": "删除过于频繁，请一分钟后再试。",
    "message_forward": "转发",
    "forward_title": "转发给…",
    "forward_text": "一份副本将以你的名义发送到你选择的聊天。",
    "forward_filter": "查找聊天",
    "forward_sent": "已发送",
    "forward_none": "没有这个名字的聊天。",
    "too_many_forwards": "转发过于频繁，请一分钟后再试。",
}
