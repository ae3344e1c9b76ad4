"""The open chat's export dialog: a press counts one export and makes its download link.

The ZIP itself is written by the download's route (http/export_routes.py) while it
downloads; this state only decides whether the user may start one now and signs the link
for this tab's login session, in the tab's language.
"""

from __future__ import annotations

import reflex as rx

from chat_app.i18n import text
from chat_app.services import chat_export
from chat_app.services.errors import DomainError
from chat_app.states.auth import AuthState
from chat_app.states.links import export_link
from chat_app.states.service_call import call_service
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in


class ChatExportState(rx.State):
    """Whether the dialog is open, and what it offers: the link, or why there is none."""

    export_open: bool = False
    # The signed download link ("" until made; made again for each opening).
    export_link: str = ""
    # Why no link was made ("" for none), in the tab's language.
    export_error: str = ""

    @rx.event
    def set_export_open(self, is_open: bool):
        """Open or close the dialog; either way it starts without a link."""
        self.export_open = bool(is_open)
        self.export_link = self.export_error = ""

    @rx.event
    @signed_in
    async def prepare_export(self, viewer_id: int, conversation_id: int):
        """Count one export of a chat the viewer may read and make its link.

        Args:
            viewer_id: Who asks (from the server-side session).
            conversation_id: The chat (untrusted: the service checks it).
        """
        language = await language_of(self)
        self.export_link = ""
        try:
            chat = await call_service(
                chat_export.start_export, viewer_id=viewer_id, conversation_id=conversation_id
            )
        except DomainError as error:
            self.export_error = text(error.code, language)
            return
        key = await (await self.get_state(AuthState))._link_key()
        if key is None:  # the session ended meanwhile: the sign-in gate takes the tab
            return
        self.export_error = ""
        self.export_link = export_link(key, chat, language)
