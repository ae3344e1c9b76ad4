"""What a chat's export holds for each message: a JSON record and a script-free HTML item.

Every piece of user text (names, messages, file names) is escaped for HTML; the page loads
nothing and runs nothing (a Content-Security-Policy says so to the browser that opens it),
so an export opened from disk shows what was said and cannot act. Files sit beside the
page under `files/`, named by the message's number so two files of one name never clash.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from chat_app.i18n import text
from chat_app.services.views import wire_time

FILES_FOLDER = "files"
# A file's name in the archive keeps at most this many characters of its original name.
NAME_KEPT = 100
# Path separators, characters Windows refuses and control characters: each becomes "_", so
# no archive entry can climb out of its folder or fail to unpack.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;max-width:46em;margin:1.5em auto;padding:0 1em;
color:#1c2024;background:#fff}
@media (prefers-color-scheme:dark){body{color:#edeef0;background:#111113}
.message{background:#212225}.mine{background:#0d2847}}
h1{font-size:1.4em;margin:0 0 .2em;overflow-wrap:anywhere}.about{color:#80838d;margin:0 0 1.5em}
ol{list-style:none;padding:0;margin:0}li{margin:.5em 0}
.message{background:#f0f0f3;border-radius:10px;padding:.5em .75em}.mine{background:#e6f4fe}
.head{font-size:.85em;color:#80838d}.head b{color:inherit}
.text{white-space:pre-wrap;overflow-wrap:anywhere}.deleted{font-style:italic;color:#80838d}
.system{text-align:center;font-size:.85em;color:#80838d}
img{display:block;max-width:min(360px,100%);max-height:360px;margin-top:.3em;border-radius:6px}
.reactions{font-size:.9em;margin-top:.25em}
"""


@dataclass(frozen=True)
class ExportedFile:
    """A message's file as the archive holds it."""

    name: str
    size: int
    mime: str
    path: str
    image: bool


@dataclass(frozen=True)
class ExportedMessage:
    """One message as the viewer could read it, ready for both forms of the export."""

    seq: int
    sent_at: datetime
    kind: str
    # The sender as the viewer sees them ("" for a group's event line).
    sender_id: int | None
    sender_name: str
    mine: bool
    # The text; a file's name for a file message; the event's line for a system one.
    text: str
    file: ExportedFile | None = None
    edited_at: datetime | None = None
    deleted: bool = False
    # (emoji, how many) in the order they were first used.
    reactions: tuple[tuple[str, int], ...] = ()
    # The seq of the message it replies to.
    reply_to: int | None = None


def archive_path(seq: int, original_name: str) -> str:
    """Where a message's file sits in the archive: `files/<seq>-<its name, made safe>`.

    Args:
        seq: The message's number (unique in its chat).
        original_name: The name it was sent with (any text).

    Returns:
        A relative path of one folder and one plain file name.
    """
    return f"{FILES_FOLDER}/{seq:06d}-{_safe_name(original_name, 'file')}"


def archive_name(title: str, moment: datetime) -> str:
    """The download's file name: the chat's name and the day it was exported.

    Args:
        title: The chat's name as the viewer sees it.
        moment: When it was exported.

    Returns:
        For example "Ann 2026-12-06.zip" (unsafe characters replaced).
    """
    return f"{_safe_name(title, 'chat')} {moment:%Y-%m-%d}.zip"


def _safe_name(name: str, fallback: str) -> str:
    """`name` as a file name any system unpacks (`fallback` when nothing is left of it).

    Unsafe characters replaced, no leading dot, at most NAME_KEPT characters.
    """
    return _UNSAFE.sub("_", name).strip().lstrip(".")[:NAME_KEPT] or fallback


def json_record(message: ExportedMessage) -> dict[str, object]:
    """A message as messages.json holds it.

    Args:
        message: The message.

    Returns:
        Plain data (json.dumps-ready).
    """
    record: dict[str, object] = {
        "seq": message.seq,
        "sent_at": wire_time(message.sent_at),
        "kind": message.kind,
        "sender": None
        if message.sender_id is None
        else {"id": message.sender_id, "name": message.sender_name},
        "text": message.text,
        "deleted": message.deleted,
        "edited_at": None if message.edited_at is None else wire_time(message.edited_at),
    }
    if message.file is not None:
        record["file"] = {
            "name": message.file.name,
            "size": message.file.size,
            "type": message.file.mime,
            "path": message.file.path,
        }
    if message.reactions:
        record["reactions"] = dict(message.reactions)
    if message.reply_to:
        record["reply_to"] = message.reply_to
    return record


def json_start(title: str, kind: str, exported_at: datetime, viewer_name: str) -> str:
    """The start of messages.json, up to its list of messages.

    Args:
        title: The chat's name as the viewer sees it.
        kind: "direct" or "group".
        exported_at: When.
        viewer_name: Who exported it.

    Returns:
        The text (the messages follow, then `JSON_END`).
    """
    about = {"chat": title, "kind": kind, "exported_at": wire_time(exported_at)}
    about["exported_by"] = viewer_name
    return json.dumps(about, ensure_ascii=False)[:-1] + ', "messages": [\n'


JSON_END = "\n]}\n"


def _minute(moment: datetime) -> str:
    """A time as the page shows it: "2026-12-06 14:05" (UTC)."""
    stamp = wire_time(moment)
    return f"{stamp[:10]} {stamp[11:16]}"


def _time(moment: datetime) -> str:
    return f'<time datetime="{wire_time(moment)}">{_minute(moment)} UTC</time>'


def html_start(title: str, exported_at: datetime, viewer_name: str, language: str) -> str:
    """The page's head and heading, up to its list of messages.

    Args:
        title: The chat's name as the viewer sees it.
        exported_at: When.
        viewer_name: Who exported it.
        language: The page's language.

    Returns:
        The HTML (the items follow, then `HTML_END`).
    """
    about = text("export_page_about", language, name=viewer_name, when=_minute(exported_at))
    return (
        f'<!doctype html>\n<html lang="{"zh-CN" if language == "zh" else "en"}"><head>'
        '<meta charset="utf-8">'
        # Nothing runs and nothing loads from anywhere: pictures come from beside the page.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src 'self' file:\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>\n"
        f"<h1>{html.escape(title)}</h1>\n<p class=about>{html.escape(about)}</p>\n<ol>\n"
    )


HTML_END = "</ol>\n</body></html>\n"


def html_item(message: ExportedMessage, language: str) -> str:
    """One message's item of the page.

    Args:
        message: The message.
        language: The page's language.

    Returns:
        An `<li>` (user text escaped).
    """
    if message.kind == "system":
        return f"<li class=system>{html.escape(message.text)} · {_time(message.sent_at)}</li>\n"
    head = f"<b>{html.escape(message.sender_name)}</b> {_time(message.sent_at)}"
    if message.edited_at is not None and not message.deleted:
        head += " · " + html.escape(text("message_edited", language))
    if message.reply_to and not message.deleted:
        answered = html.escape(text("export_in_reply_to", language))
        head += f' · <a href="#m{message.reply_to}">↩ {answered}</a>'
    if message.deleted:
        body = f"<div class=deleted>{html.escape(text('message_deleted', language))}</div>"
    elif message.file is not None:
        body = _file_html(message.file)
    else:
        body = f"<div class=text>{html.escape(message.text)}</div>"
    if message.reactions:
        shown = "  ".join(f"{emoji} {count}" for emoji, count in message.reactions)
        body += f"<div class=reactions>{html.escape(shown)}</div>"
    mine = " mine" if message.mine else ""
    return (
        f'<li class="message{mine}" id="m{message.seq}"><div class=head>{head}</div>{body}</li>\n'
    )


def _file_html(file: ExportedFile) -> str:
    # Percent-encoded: a "#" or "%" in a file's name is part of the name, not of the URL.
    path, name = html.escape(quote(file.path), quote=True), html.escape(file.name)
    link = f'<div><a href="{path}">{name}</a></div>'
    if file.image:
        return f'<img src="{path}" alt="{html.escape(file.name, quote=True)}">{link}'
    return link
