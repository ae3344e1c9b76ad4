"""Signed download links as the browser uses them (relative to the backend's /_upload/).

Links are signed for one user, so each tab signs what it shows for its own user.
"""

from __future__ import annotations

from dataclasses import replace

from chat_app.services import files
from chat_app.services.views import ContactView


def file_link(user_id: int, file_id: str, variant: str) -> str:
    """A link for `user_id` to a stored file ("file" or "thumb").

    The leading "../" makes it relative to Reflex's upload endpoint, whose absolute URL the
    page knows even when it is served from another origin (components/attachment.py).

    Args:
        user_id: The viewing user.
        file_id: The stored file.
        variant: "file" or "thumb".

    Returns:
        The link.
    """
    return "../" + files.signed_url(user_id=user_id, file_id=file_id, variant=variant)[1:]


def with_avatar_link(contact: ContactView, viewer_id: int | None) -> ContactView:
    """The contact with its avatar link signed for the viewer (unchanged without avatar).

    Args:
        contact: A contact view from a service.
        viewer_id: The tab's user.

    Returns:
        The contact to send to the tab.
    """
    if not contact.avatar_file_id or not viewer_id:
        return contact
    return replace(contact, avatar_url=file_link(viewer_id, contact.avatar_file_id, "thumb"))
