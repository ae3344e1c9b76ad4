"""Signed download links as the browser uses them (relative to the backend's /_upload/).

Links are bound to one login session of one user (services/file_links.py), so each tab
signs what it shows for its own session, once, when it first shows it: revoking the
session revokes its links, and links are never re-signed (that would re-send windows).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

from chat_app.services import file_links, sessions
from chat_app.services.people_views import ContactView
from chat_app.services.sessions import SessionKey
from chat_app.services.views import MessageView
from chat_app.states.service_call import call_service

# Token hash -> session key. A row's id and start never change, so entries never go stale
# (a revoked session's links fail at download); bounded, most recently used kept.
_KEYS: OrderedDict[str, SessionKey] = OrderedDict()
_KEYS_KEPT = 4096


async def session_key(token_hash: str) -> SessionKey | None:
    """The login session a tab's links are bound to, from its token's hash.

    Args:
        token_hash: The sha256 of the tab's token (AuthState keeps it server-side).

    Returns:
        The key, or None when the session does not exist (any more).
    """
    key = _KEYS.get(token_hash)
    if key is not None:
        _KEYS.move_to_end(token_hash)
        return key
    key = await call_service(sessions.session_key_of, token_hash=token_hash)
    if key is not None:
        _KEYS[token_hash] = key
        while len(_KEYS) > _KEYS_KEPT:
            _KEYS.popitem(last=False)
    return key


def file_link(key: SessionKey, file_id: str, variant: str) -> str:
    """A link to a stored file ("file" or "thumb") for the user of a login session.

    The leading "../" makes it relative to Reflex's upload endpoint, whose absolute URL the
    page knows even when it is served from another origin (components/attachment.py).

    Args:
        key: The viewing tab's login session.
        file_id: The stored file.
        variant: "file" or "thumb".

    Returns:
        The link.
    """
    return "../" + file_links.signed_url(key=key, file_id=file_id, variant=variant)[1:]


def export_link(key: SessionKey, conversation_id: int, language: str) -> str:
    """A link to download a chat's export, for the user of a login session (minutes long).

    Args:
        key: The tab's login session.
        conversation_id: The chat (checked by the caller, and again by the route).
        language: The export's language.

    Returns:
        The link, relative to the upload endpoint as `file_link`'s.
    """
    path = file_links.signed_export_url(key=key, conversation_id=conversation_id, language=language)
    return "../" + path[1:]


def picture_link(key: SessionKey | None, file_id: str | None) -> str:
    """The thumbnail link of a picture (an avatar, a group's), or "" without one.

    Args:
        key: The viewing tab's login session (None: not logged in, no link).
        file_id: The picture's stored file ("" or None: none).

    Returns:
        The link, or "" (the initials show).
    """
    return file_link(key, file_id, "thumb") if key is not None and file_id else ""


def with_avatar_link(contact: ContactView, key: SessionKey | None) -> ContactView:
    """The contact with its avatar link signed for the viewer (unchanged without avatar).

    Args:
        contact: A contact view from a service.
        key: The viewing tab's login session (None: not logged in, no link).

    Returns:
        The contact to send to the tab.
    """
    if not contact.avatar_file_id or key is None:
        return contact
    return replace(contact, avatar_url=picture_link(key, contact.avatar_file_id))


def with_file_links(view: MessageView, key: SessionKey) -> MessageView:
    """The message with its attachment's links signed for the login session `key`."""
    attachment = view.attachment
    if attachment is None:
        return view
    links = replace(
        attachment,
        file_url=file_link(key, attachment.file_id, "file"),
        thumb_url=file_link(key, attachment.file_id, "thumb") if attachment.has_thumbnail else "",
    )
    return replace(view, attachment=links)
