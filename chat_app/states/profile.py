"""The user's own profile picture: upload it, and show the change to friends at once."""

from __future__ import annotations

import reflex as rx

from chat_app import routes
from chat_app.i18n import text
from chat_app.realtime.push import push_to_tabs
from chat_app.realtime.registry import tab_registry
from chat_app.services import files, friends
from chat_app.services.errors import DomainError
from chat_app.settings import SETTINGS
from chat_app.states.auth import AuthState
from chat_app.states.friends import FriendsState, snapshot_setter
from chat_app.states.service_call import call_service
from chat_app.states.ui import language_of

AVATAR_UPLOAD_ID = "avatar-upload"
SETTINGS_LIMIT_MB = SETTINGS.max_upload_bytes // (1024 * 1024)


class ProfileState(rx.State):
    """The avatar dialog."""

    avatar_dialog_open: bool = False
    avatar_error: str = ""

    @rx.event
    def set_avatar_dialog_open(self, is_open: bool):
        """Open or close the avatar dialog."""
        self.avatar_dialog_open = is_open is True
        self.avatar_error = ""

    @rx.event
    async def reject_avatar(self, count: int):
        """The browser refused the picked file (too large)."""
        self.avatar_error = text("file_too_large", await language_of(self), limit=SETTINGS_LIMIT_MB)

    @rx.event
    async def upload_avatar(self, files_: list[rx.UploadFile]):
        """Store the picked image as this user's avatar and tell their friends."""
        auth = await self.get_state(AuthState)
        user = await auth._current_user()
        if user is None:
            return rx.redirect(routes.AUTH)
        if not isinstance(files_, list) or not files_:
            return None
        try:
            await call_service(
                files.set_avatar, viewer_id=user.id, source=files_[0].file, name=files_[0].filename
            )
        except DomainError as error:
            self.avatar_error = text(error.code, await language_of(self), limit=SETTINGS_LIMIT_MB)
            return None
        await auth._current_user()  # refreshes the header's picture
        self.avatar_dialog_open = False
        own_tab = self.router.session.client_token
        friend_ids = await call_service(friends.friend_ids, user_id=user.id)
        for user_id in [user.id, *friend_ids]:
            tabs = [e.tab_token for e in tab_registry.tabs_of(user_id) if e.tab_token != own_tab]
            if tabs:
                snapshot = await call_service(friends.snapshot, user_id=user_id)
                push_to_tabs(tabs, FriendsState, snapshot_setter(snapshot, user_id, []))
        friends_state = await self.get_state(FriendsState)
        await friends_state._refresh(user.id)
        return rx.toast.success(text("avatar_updated", await language_of(self)))
