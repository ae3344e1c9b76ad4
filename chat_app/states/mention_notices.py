"""How a stored message is announced to each recipient: aloud, muted, or as a mention.

A recipient who muted the conversation gets no toast and no sound; a recipient the message
mentions gets a toast even then ("Ann mentioned you"), their row an `@` marker and the
message a highlight in their tabs only. Everyone else's push stays as it was: the notice is
one short word in the push's arguments, never in the pushed message.
"""

from __future__ import annotations

from reflex_base.event import EventSpec

from chat_app.i18n import text
from chat_app.services import mentions
from chat_app.services.text_rules import clip_name
from chat_app.services.views import HistoryPage, SentMessage
from chat_app.states.notices import conversation_toast_id
from chat_app.states.safe_text import toast_info
from chat_app.states.service_call import call_service

# A toast (for a conversation not on screen) and the sound.
ALOUD = ""
# Muted: counted as unread, nothing more.
MUTED = "muted"
# Mentioned: a mention toast, the row's `@`, the highlight; and the sound.
MENTION = "mention"
# Mentioned in a muted conversation: the same without the sound.
MUTED_MENTION = "muted_mention"
MENTIONS = frozenset({MENTION, MUTED_MENTION})
# The notices that ring the user's sound.
AUDIBLE = frozenset({ALOUD, MENTION})


def recipient_groups(sent: SentMessage) -> list[tuple[tuple[int, ...], str]]:
    """The recipients of a send, grouped by notice (groups with nobody left out).

    Args:
        sent: The outcome of a send (its mentioned and muted members).

    Returns:
        `(user ids, notice)` pairs, the plain recipients first.
    """
    grouped: dict[str, list[int]] = {}
    mentioned = set(sent.mentioned_ids)
    for user in sent.recipient_ids:
        muted = user in sent.muted_ids
        if user in mentioned:
            notice = MUTED_MENTION if muted else MENTION
        else:
            notice = MUTED if muted else ALOUD
        grouped.setdefault(notice, []).append(user)
    order = (ALOUD, MUTED, MENTION, MUTED_MENTION)
    return [(tuple(grouped[notice]), notice) for notice in order if notice in grouped]


def mention_toast(conversation_id: int, nickname: str, language: str) -> EventSpec:
    """The toast "Ann mentioned you", in place of the conversation's new-messages toast.

    Args:
        conversation_id: Where the mention is (the toast's id).
        nickname: The sender's nickname (shown literally, cut to fit).
        language: The tab's language.

    Returns:
        The toast event.
    """
    message = text("notice_mentioned", language, nickname=clip_name(nickname))
    return toast_info(message, id=conversation_toast_id(conversation_id))


async def highlighted_seqs(viewer_id: int, page: HistoryPage) -> list[int]:
    """The messages of a page just opened that mention the reader (groups only).

    Args:
        viewer_id: The reader, who was allowed to read the page.
        page: The page shown.

    Returns:
        Their seqs ([] for a direct chat, where nobody is mentioned, without a statement).
    """
    seqs = [message.seq for message in page.messages if message.seq > 0]
    if page.kind != "group" or not seqs:
        return []
    found = await call_service(
        mentions.mentioned_seqs,
        viewer_id=viewer_id,
        conversation_id=page.conversation_id,
        from_seq=min(seqs),
        to_seq=max(seqs),
    )
    return list(found)
