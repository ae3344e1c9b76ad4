"""Files sent to the open conversation: the running upload's progress, cancel and refusals."""

from __future__ import annotations

import uuid

import reflex as rx

from chat_app.i18n import text
from chat_app.realtime.profile import PROFILE
from chat_app.services import file_uploads
from chat_app.services.errors import DomainError
from chat_app.settings import SETTINGS
from chat_app.states.composer import ComposerState, publish_sent
from chat_app.states.conversation import ConversationState
from chat_app.states.service_call import call_slow_service
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in

UPLOAD_ID = "chat-attachments"
DROP_ID = "chat-drop"


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
        conversation = await self.get_state(ConversationState)
        conversation_id = conversation.conversation_id
        if not conversation_id or not isinstance(files_, list):
            return
        language = await language_of(self)
        for upload in files_:
            try:
                sent = await call_slow_service(
                    file_uploads.send_file,
                    viewer_id=viewer_id,
                    conversation_id=conversation_id,
                    client_id=uuid.uuid4().hex,
                    source=upload.file,
                    name=upload.filename,
                    storage=PROFILE.storage,
                )
            except DomainError as error:
                composer = await self.get_state(ComposerState)
                composer.composer_error = text(error.code, language, limit=SETTINGS.max_upload_mb)
                return
            await publish_sent(self, sent)
            if conversation.conversation_id == conversation_id:
                conversation._add([sent.message])
