"""UI strings of message search in the Chats tab (both languages)."""

from __future__ import annotations

EN: dict[str, str] = {
    "message_search_label": "Search messages",
    "message_search_placeholder": "Search messages",
    "message_search_close": "Close search",
    "message_search_busy": "Searching…",
    "message_search_none": "No messages found for",
    "message_search_shallow": (
        "Words of one or two characters were looked for in recent messages only. "
        "Add a word of three characters or more to search everything."
    ),
    "message_search_more": "Show more",
    "message_search_count": "{count} messages found",
    "message_search_you": "You",
    "message_search_file": "File",
    "message_search_in": "Searching in",
    "message_search_everywhere": "Search all chats",
    "message_search_this_chat": "Search this chat",
    "search_invalid": "Type what to search for.",
    "search_too_long": "Search for at most {most} characters.",
    "search_too_many_words": "Search for at most {words} words.",
    "search_too_often": "Too many searches at once. Wait a few seconds and try again.",
}

ZH: dict[str, str] = {
    "message_search_label": "搜索聊天记录",
    "message_search_placeholder": "搜索聊天记录",
    "message_search_close": "关闭搜索",
    "message_search_busy": "正在搜索…",
    "message_search_none": "没有找到聊天记录：",
    "message_search_shallow": (
        "一两个字的词只在最近的消息中查找。加一个三个字以上的词可搜索全部记录。"
    ),
    "message_search_more": "显示更多",
    "message_search_count": "找到 {count} 条消息",
    "message_search_you": "我",
    "message_search_file": "文件",
    "message_search_in": "搜索范围：",
    "message_search_everywhere": "搜索全部聊天",
    "message_search_this_chat": "搜索此聊天记录",
    "search_invalid": "请输入要搜索的内容。",
    "search_too_long": "搜索内容最多 {most} 个字符。",
    "search_too_many_words": "最多搜索 {words} 个词。",
    "search_too_often": "搜索太频繁，请等几秒再试。",
}
