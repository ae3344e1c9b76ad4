"""The user's own profile picture: upload it, and show the change to friends at once."""

from __future__ import annotations

import reflex as rx

from chat_app.i18n import text
from chat_app.realtime.profile import PROFILE
from chat_app.services import file_uploads, friends
from chat_app.services.errors import DomainError
from chat_app.services.people_views import FriendsChange
from chat_app.settings import SETTINGS
from chat_app.states.auth import AuthState
from chat_app.states.friends import FriendsState
from chat_app.states.safe_text import toast_success
from chat_app.states.service_call import call_file_service, call_service
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in

AVATAR_UPLOAD_ID = "avatar-upload"


class ProfileState(rx.State):
    """The avatar dialog."""

    avatar_dialog_open: bool = False
    avatar_error: str = ""
    # From the pick to the server's answer: a photo takes seconds on a slow line, and a
    # dialog that did not change looked as if nothing happened.
    avatar_uploading: bool = False

    @rx.event
    def set_avatar_dialog_open(self, is_open: bool):
        """Open or close the avatar dialog."""
        self.avatar_dialog_open = is_open is True
        self.avatar_error = ""

    @rx.event
    async def reject_avatar(self, count: int):
        """The browser refused the picked file (too large)."""
        self.avatar_error = text(
            "file_too_large", await language_of(self), limit=SETTINGS.max_upload_mb
        )

    @rx.event
    def start_avatar_upload(self):
        """A picture was picked: the button shows it is being sent until the answer."""
        self.avatar_uploading = True
        self.avatar_error = ""

    @rx.event
    @signed_in
    async def upload_avatar(self, viewer_id: int, files_: list[rx.UploadFile]):
        """Store the picked image as this user's avatar and tell their friends."""
        self.avatar_uploading = False
        if not isinstance(files_, list) or not files_:
            return None
        try:
            await call_file_service(
                viewer_id,
                file_uploads.set_avatar,
                viewer_id=viewer_id,
                source=files_[0].file,
                name=files_[0].filename,
                storage=PROFILE.storage,
            )
        except DomainError as error:
            self.avatar_error = text(
                error.code, await language_of(self), limit=SETTINGS.max_upload_mb
            )
            return None
        auth = await self.get_state(AuthState)
        await auth._current_user(fresh=True)  # refreshes the header's picture
        self.avatar_dialog_open = False
        # Every tab of the user and of each friend shows the new picture, like any other
        # change to friend lists: this tab's list too comes over the socket, in turn with
        # the other updates (this handler's own update may reach the browser after them).
        friend_ids = await call_service(friends.friend_ids, user_id=viewer_id)
        friends_state = await self.get_state(FriendsState)
        change = FriendsChange(frozenset({viewer_id, *friend_ids}))
        await friends_state._publish(change, to_own_tab=True)
        return toast_success(text("avatar_updated", await language_of(self)))
