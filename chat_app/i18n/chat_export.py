"""UI strings of a chat's export (both languages), the exported page's included."""

from __future__ import annotations

EN: dict[str, str] = {
    "export_chat": "Export chat",
    "export_title": "Export this chat",
    "export_text": (
        "One ZIP file of everything you can read in this chat: the messages as a web page "
        "(index.html) and as data (messages.json), and the files sent in it."
    ),
    "export_prepare": "Make the download",
    "export_download": "Download ZIP",
    "export_link_note": "The download link works for 10 minutes.",
    "too_many_exports": "Too many exports in the last hour. Try again later.",
    "export_page_about": "Exported by {name} on {when} UTC.",
    "export_in_reply_to": "in reply to",
}

ZH: dict[str, str] = {
    "export_chat": "导出聊天记录",
    "export_title": "导出此聊天",
    "export_text": (
        "一个 ZIP 文件，包含你在此聊天中能看到的全部内容：网页形式的消息（index.html）、"
        "数据形式的消息（messages.json），以及聊天中发送的文件。"
    ),
    "export_prepare": "生成下载",
    "export_download": "下载 ZIP",
    "export_link_note": "下载链接 10 分钟内有效。",
    "too_many_exports": "最近一小时导出次数过多，请稍后再试。",
    "export_page_about": "由 {name} 于 {when}（UTC）导出。",
    "export_in_reply_to": "回复",
}
