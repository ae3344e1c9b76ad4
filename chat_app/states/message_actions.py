"""What a message's menu does: react, edit, delete for everyone or for oneself (confirmed).

Reply is states/replies.py. A change is pushed to every tab of every member who may have
the message on screen (`MessageChange.reader_ids`), the acting user's other tabs included.
A push carries the changed message only: the tab shows it over its rows
(states/message_changes.py) and, when it is the conversation's newest message, writes the
chat list row's line anew. A deletion for oneself changes nothing for the others: only the
user's own tabs are told, and their row of the chat shows its newest message not hidden.
"""

from __future__ import annotations

import functools
from typing import Any

import reflex as rx

from chat_app.i18n import text
from chat_app.realtime.profile import PROFILE
from chat_app.realtime.push import notify_users
from chat_app.services import (
    message_deletion,
    message_edits,
    message_hiding,
    reactions,
    reply_rows,
)
from chat_app.services.errors import DomainError
from chat_app.services.reaction_views import QUICK_REACTIONS
from chat_app.services.views import MessageChange
from chat_app.states.auth import AuthState
from chat_app.states.conversation import ConversationState
from chat_app.states.friends import FriendsState
from chat_app.states.message_search import MessageSearchState
from chat_app.states.replies import ReplyState
from chat_app.states.safe_text import toast_error
from chat_app.states.service_call import call_service, call_slow_service, form_text
from chat_app.states.tab_identity import tab_token
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in

# The emoji the menu offers to react with (the service takes no others).
REACTION_CHOICES = QUICK_REACTIONS
# The edit dialog's text field (components/message_actions.py).
EDIT_FIELD_ID = "edit-message-text"
CANCEL_DELETE_ID = "cancel-delete-message"


class MessageActionsState(rx.State):
    """The message a dialog asks about: a deletion to confirm, or an edit (0s: closed)."""

    confirm_conversation: int = 0
    confirm_seq: int = 0
    # The deletion asked about is for the viewer only (else for everyone).
    confirm_for_me: bool = False
    edit_conversation: int = 0
    edit_seq: int = 0
    # The text the edit dialog opened with (its field keeps what is typed after).
    edit_text: str = ""
    # Why the last save was refused ("" for none): shown in the dialog, the text kept.
    edit_error: str = ""

    @rx.event
    async def menu_closed(self):
        """A message's menu closed and gave its button the focus back.

        Radix does so once the menu's closing is over, after the dialog its Edit or Delete
        opened took the focus: typing then went to the button behind the dialog. The focus
        goes into that dialog again; after a Reply, to the composer.
        """
        if self.editing:
            return rx.set_focus(EDIT_FIELD_ID)
        if self.confirming_delete:
            return rx.set_focus(CANCEL_DELETE_ID)
        return (await self.get_state(ReplyState))._focus_after_menu()

    @rx.var
    def confirming_delete(self) -> bool:
        """Whether the deletion's dialog is open."""
        return self.confirm_seq > 0

    @rx.var
    def editing(self) -> bool:
        """Whether the edit dialog is open."""
        return self.edit_seq > 0

    @rx.event
    @signed_in
    async def ask_delete(
        self, viewer_id: int, conversation_id: int, seq: int, for_me: bool = False
    ):
        """Open the deletion's dialog for one message (untrusted ids: the service checks).

        Args:
            viewer_id: Who asks.
            conversation_id: The conversation.
            seq: The message.
            for_me: Delete it for the viewer only (else for everyone).
        """
        # The payload's types are checked before any handler runs (states/event_arguments.py).
        if conversation_id > 0 and seq > 0:
            self.confirm_conversation, self.confirm_seq = conversation_id, seq
            self.confirm_for_me = for_me is True

    @rx.event
    def cancel_delete(self):
        """Close the deletion's dialog, deleting nothing."""
        self._close_delete()

    def _close_delete(self) -> None:
        self.confirm_conversation = self.confirm_seq = 0
        self.confirm_for_me = False

    @rx.event
    @signed_in
    async def delete_message(self, viewer_id: int):
        """Delete the message the dialog asked about, for everyone or for the viewer only."""
        conversation_id, seq = self.confirm_conversation, self.confirm_seq
        self.confirm_conversation = self.confirm_seq = 0
        if not seq:
            return None
        if self.confirm_for_me:
            self.confirm_for_me = False
            return await self._hide(viewer_id, conversation_id, seq)
        try:
            # A thread: an attachment's bytes may live in Azure Blob Storage.
            change = await call_slow_service(
                message_deletion.delete_for_everyone,
                storage=PROFILE.storage,
                viewer_id=viewer_id,
                conversation_id=conversation_id,
                seq=seq,
            )
        except DomainError as error:
            return toast_error(text(error.code, await language_of(self)))
        if change is None:  # deleted already (another tab, an admin): nothing to push
            return None
        await self._publish(change)
        return None

    @rx.event
    @signed_in
    async def ask_edit(self, viewer_id: int, conversation_id: int, seq: int):
        """Open the edit dialog with the message's current text."""
        if conversation_id <= 0 or seq <= 0:
            return None
        try:
            current = await call_service(
                message_edits.editable_text,
                viewer_id=viewer_id,
                conversation_id=conversation_id,
                seq=seq,
            )
        except DomainError as error:
            return toast_error(text(error.code, await language_of(self)))
        self.edit_conversation, self.edit_seq = conversation_id, seq
        self.edit_text, self.edit_error = current, ""
        # The field is mounted by this update; the menu just closed took the focus along.
        return rx.set_focus(EDIT_FIELD_ID)

    @rx.event
    def cancel_edit(self):
        """Close the edit dialog, changing nothing."""
        self._close_edit()

    def _close_edit(self) -> None:
        self.edit_conversation = self.edit_seq = 0
        self.edit_text = self.edit_error = ""

    @rx.event
    @signed_in
    async def save_edit(self, viewer_id: int, form_data: dict):
        """Give the message the text typed; a refusal is shown in the dialog, text kept."""
        if not self.edit_seq:
            return
        try:
            change = await call_service(
                message_edits.edit_message,
                viewer_id=viewer_id,
                conversation_id=self.edit_conversation,
                seq=self.edit_seq,
                body=form_text(form_data, "body"),
            )
        except DomainError as error:
            self.edit_error = text(error.code, await language_of(self))
            return
        self._close_edit()
        if change is not None:
            await self._publish(change)

    @rx.event
    @signed_in
    async def toggle_reaction(self, viewer_id: int, conversation_id: int, seq: int, emoji: str):
        """Put the viewer's `emoji` on a message, or take it off (a chip or the menu)."""
        try:
            change = await call_service(
                reactions.toggle_reaction,
                viewer_id=viewer_id,
                conversation_id=conversation_id,
                seq=seq,
                emoji=emoji,
            )
        except DomainError as error:
            return toast_error(text(error.code, await language_of(self)))
        await self._publish(change)
        return None

    async def _hide(self, viewer_id: int, conversation_id: int, seq: int):
        """Delete a message for the viewer: gone from this tab and their other tabs only."""
        try:
            chat, hidden = await call_service(
                message_hiding.hide_for_me,
                viewer_id=viewer_id,
                conversation_id=conversation_id,
                seq=seq,
            )
        except DomainError as error:
            return toast_error(text(error.code, await language_of(self)))
        await _apply_hidden(chat, hidden, viewer_id, await self.get_state(ConversationState))
        pushed = functools.partial(_apply_hidden, chat, hidden, viewer_id)
        await notify_users([viewer_id], ConversationState, pushed, except_tab=tab_token(self))
        return None

    async def _publish(self, change: MessageChange) -> None:
        """Show a change on this tab and queue it for every other tab that may show it."""
        sender = (await self.get_state(AuthState)).nickname
        await _show_change(change, sender, await self.get_state(ConversationState))
        pushed = functools.partial(_apply_pushed, change, sender)
        await notify_users(change.reader_ids, ConversationState, pushed, except_tab=tab_token(self))


async def _apply_pushed(change: MessageChange, sender: str, state: ConversationState) -> list[Any]:
    # A partial, not a closure: it may travel to the worker holding a tab's socket.
    # Only for a reader: the tab may have changed hands since the push was queued.
    if state._user_id in change.reader_ids:
        await _show_change(change, sender, state)
    return []


async def _apply_hidden(
    conversation_id: int, seq: int, user_id: int, state: ConversationState
) -> list[Any]:
    # A partial, like `_apply_pushed`; only the user's own tabs.
    if state._user_id == user_id:
        if state.conversation_id == conversation_id:
            state._hide(seq)
        # The lists read again, as a reload reads them: if it was the row's newest message,
        # the row's line and time become the one before, and the row moves to that time's
        # place (it kept the top before, until a reload moved it).
        await (await state.get_state(FriendsState))._refresh(user_id)
        await _drop_found(state, conversation_id, seq)
    return []


async def _show_change(change: MessageChange, sender: str, state: ConversationState) -> None:
    """One tab shows a change: its row's line if it was the newest, the message if open.

    Args:
        change: The change.
        sender: The acting user's nickname (a group's row line names the sender).
        state: The tab's conversation state.
    """
    message = reply_rows.quote_seen_by(change.message, state._user_id, change.quote_withheld_from)
    if change.was_last and state._user_id not in change.hidden_by:
        await state._show_line(change.conversation_id, message, sender, state._user_id)
    if state.conversation_id == change.conversation_id:
        await state._learn_people([message])  # a group's new reactor, say
        state._show_changes([message])
    if change.message.deleted or change.message.edited:
        replying = await state.get_state(ReplyState)
        await replying._quoted_changed(change.conversation_id, change.message.seq)
    if change.message.deleted:
        await _drop_found(state, change.conversation_id, change.message.seq)
    elif change.message.edited:
        search = await state.get_state(MessageSearchState)
        search._edited(change.conversation_id, change.message.seq, change.message.body)


async def _drop_found(state: ConversationState, conversation_id: int, seq: int) -> None:
    """Take a message gone (for everyone, or for this user) out of the search results.

    Its text must not stay on screen in a results list either.
    """
    (await state.get_state(MessageSearchState))._drop(conversation_id, seq)
