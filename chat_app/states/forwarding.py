"""Forward in a message's menu: a dialog of the user's chats; a press sends the copy there.

The dialog lists the Chats tab's rows the user still writes in (states/chat_list.py, no
query of its own); each press sends one copy (services/forwarding.py) and marks that row
"Sent", so one message can go to several chats in turn. The copy is pushed like any new
message: to the target's members and to the user's own tabs.
"""

from __future__ import annotations

import hashlib
import uuid

import reflex as rx

from chat_app.i18n import text
from chat_app.realtime.profile import PROFILE
from chat_app.services import forwarding
from chat_app.services.errors import DomainError
from chat_app.states.message_push import publish_sent
from chat_app.states.service_call import call_file_service
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in


def copy_client_id(nonce: str, conversation_id: int) -> str:
    """The copy's client id: one per dialog and target, so a repeated press stores one copy.

    Args:
        nonce: The dialog's random id (a new one each time it opens).
        conversation_id: The chat the copy goes to.

    Returns:
        32 hex characters, like the ids the composer issues.
    """
    return hashlib.sha256(f"{nonce}:{conversation_id}".encode()).hexdigest()[:32]


class ForwardState(rx.State):
    """The message being forwarded (conversation 0: the dialog is closed)."""

    # Who opened the dialog: another user signed in on this tab later cannot use it.
    forward_user_id: int = 0
    forward_conversation: int = 0
    forward_seq: int = 0
    # The chats a copy went to since the dialog opened (their rows read "Sent").
    forwarded_to: rx.Field[list[int]] = rx.field(default_factory=list)
    forward_filter: str = ""
    forward_error: str = ""
    _nonce: str = ""

    @rx.event
    @signed_in
    async def ask_forward(self, viewer_id: int, conversation_id: int, seq: int):
        """Open the dialog for one message (the service checks it when a chat is chosen)."""
        self._close()
        # The payload's types are checked before any handler runs (states/event_arguments.py).
        if conversation_id <= 0 or seq <= 0:
            return
        self.forward_user_id = viewer_id
        self.forward_conversation, self.forward_seq = conversation_id, seq
        self._nonce = uuid.uuid4().hex

    @rx.event
    def set_forward_filter(self, value: str):
        """The words typed to find a chat in the dialog (compared in the browser)."""
        self.forward_filter = value[:100]

    @rx.event
    def set_forward_open(self, is_open: bool):
        """The dialog's own close (Escape, outside click) or its close button."""
        if is_open is not True:
            self._close()

    @rx.event
    @signed_in
    async def forward_to(self, viewer_id: int, conversation_id: int):
        """Send the copy to one chat; its row then reads "Sent", or the dialog says why not."""
        if viewer_id != self.forward_user_id or not self.forward_seq:
            self._close()
            return
        if conversation_id <= 0 or conversation_id in self.forwarded_to:
            return
        try:
            sent = await call_file_service(
                viewer_id,
                forwarding.forward_message,
                viewer_id=viewer_id,
                conversation_id=self.forward_conversation,
                seq=self.forward_seq,
                to_conversation_id=conversation_id,
                client_id=copy_client_id(self._nonce, conversation_id),
                storage=PROFILE.storage,
            )
        except DomainError as error:
            self.forward_error = text(error.code, await language_of(self))
            return
        self.forward_error = ""
        self.forwarded_to = [*self.forwarded_to, conversation_id]
        await publish_sent(self, sent, to_own_tab=True)

    def _close(self) -> None:
        if self.forward_conversation or self.forward_error or self.forwarded_to:
            self.forward_user_id = self.forward_conversation = self.forward_seq = 0
            self.forwarded_to = []
            self.forward_filter = self.forward_error = ""
            self._nonce = ""
