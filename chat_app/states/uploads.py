"""Files sent to the open conversation: the running upload's progress, cancel and refusals."""

from __future__ import annotations

import base64
import binascii
import io
import re
import uuid
from typing import BinaryIO

import reflex as rx

from chat_app.i18n import text
from chat_app.realtime.profile import PROFILE
from chat_app.services import file_uploads
from chat_app.services.errors import DomainError
from chat_app.settings import SETTINGS
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.message_push import publish_sent
from chat_app.states.service_call import call_file_service
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in

UPLOAD_ID = "chat-attachments"
DROP_ID = "chat-drop"
# A pasted picture reaches the server inside one websocket frame, and a frame over
# 1,000,000 characters makes the server drop the socket (python-engineio's
# max_http_buffer_size, which stays as it is). The browser sends a pasted picture only up
# to this many characters of data URL (about PASTE_MAX_BYTES of image) and otherwise only
# its length, so the frame stays far below that bound; larger pictures are attached.
PASTE_MAX_CHARS = 700_000
PASTE_MAX_BYTES = (PASTE_MAX_CHARS - 40) * 3 // 4
PASTED_DATA_URL = re.compile(
    r"data:image/(?P<subtype>[a-z0-9.+-]{1,40});base64,(?P<data>[A-Za-z0-9+/]*={0,2})"
)


class UploadState(rx.State):
    """Whether an upload is running, and how far it got."""

    uploading: bool = False
    upload_progress: int = 0
    # "1" from the start of an upload to its end, in browser storage: a fresh server state
    # (a restart) sees that an upload died with the connection and says so.
    upload_started: str = rx.SessionStorage("", name="chat_upload")

    def _end_upload(self) -> None:
        self.uploading = False
        self.upload_progress = 0
        if self.upload_started:
            self.upload_started = ""

    async def _say_if_interrupted(self) -> None:
        """On page load: an upload this tab started never ended (the connection died)."""
        if self.upload_started and not self.uploading:
            self._end_upload()
            composer = await self.get_state(ComposerState)
            composer.composer_error = text("upload_interrupted", await language_of(self))

    @rx.event
    def set_upload_progress(self, progress: dict):
        """Progress of the running upload (from the browser), 0-100."""
        value = progress.get("progress", 0) if isinstance(progress, dict) else 0
        if isinstance(value, int | float):
            self.upload_progress = max(0, min(100, int(value * 100)))

    @rx.event
    def cancel_upload(self):
        """Stop the running upload; the server stores nothing of it."""
        self._end_upload()
        return [rx.cancel_upload(UPLOAD_ID), rx.cancel_upload(DROP_ID)]

    @rx.event
    async def reject_files(self, count: int):
        """The browser refused `count` files (over the size limit) before sending them."""
        language = await language_of(self)
        composer = await self.get_state(ComposerState)
        composer.composer_error = text("file_too_large", language, limit=SETTINGS.max_upload_mb)

    @rx.event
    async def start_upload(self):
        """The upload request is starting: show the progress bar."""
        self.uploading = True
        self.upload_progress = 0
        self.upload_started = "1"
        composer = await self.get_state(ComposerState)
        if composer.composer_error:
            composer.composer_error = ""

    @rx.event
    @signed_in
    async def upload(self, viewer_id: int, files_: list[rx.UploadFile]):
        """Send each uploaded file as a message to the open conversation."""
        self._end_upload()
        if not isinstance(files_, list):
            return
        for upload in files_:
            if not await self._send_file(viewer_id, upload.file, upload.filename):
                return

    @rx.event
    @signed_in
    async def paste_image(self, viewer_id: int, data_url: str, size: int):
        """Send a picture pasted into the composer, or say it is too large to paste.

        The browser sends the first pasted picture only when its data URL has at most
        `PASTE_MAX_CHARS` characters, else "" and its length (components/composer.py).
        """
        if data_url:
            picture = pasted_picture(data_url)
            if picture is not None:
                await self._send_file(viewer_id, io.BytesIO(picture[0]), picture[1])
        elif isinstance(size, int) and size > PASTE_MAX_CHARS:
            composer = await self.get_state(ComposerState)
            limit = PASTE_MAX_BYTES // 1000
            composer.composer_error = text("paste_too_large", await language_of(self), limit=limit)

    async def _send_file(self, viewer_id: int, source: BinaryIO, name: str | None) -> bool:
        """Send one file to the open conversation; False (and the reason shown) if refused."""
        conversation = await self.get_state(ConversationState)
        conversation_id = conversation.conversation_id
        if not conversation_id:
            return False
        try:
            sent = await call_file_service(
                viewer_id,
                file_uploads.send_file,
                viewer_id=viewer_id,
                conversation_id=conversation_id,
                client_id=uuid.uuid4().hex,
                source=source,
                name=name,
                storage=PROFILE.storage,
            )
        except DomainError as error:
            composer = await self.get_state(ComposerState)
            language = await language_of(self)
            composer.composer_error = text(error.code, language, limit=SETTINGS.max_upload_mb)
            return False
        await publish_sent(self, sent, to_own_tab=True)
        return True


def pasted_picture(data_url: object) -> tuple[bytes, str] | None:
    """The picture in a pasted data URL, and a file name for it.

    Args:
        data_url: "data:image/png;base64,..." as the browser read the clipboard
            (untrusted: anything else, or over `PASTE_MAX_CHARS`, is None).

    Returns:
        The decoded bytes and "pasted-image.<subtype>", or None. The file's real type is
        sniffed from its content when it is stored, as for any upload.
    """
    if not isinstance(data_url, str) or len(data_url) > PASTE_MAX_CHARS:
        return None
    match = PASTED_DATA_URL.fullmatch(data_url)
    if match is None:
        return None
    try:
        content = base64.b64decode(match["data"], validate=True)
    except binascii.Error:
        return None
    return content, f"pasted-image.{match['subtype']}"
