"""The administration page's users list: searched and paged on the server, 50 rows a page.

The tab holds one page of rows (never the whole directory). The ids of the rows shown are
kept server-side too: an action names a user by id, and an id that is not on the page the
tab was sent (forged, or a row that went away) is refused before any service runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import reflex as rx

from chat_app.realtime.profile import PROFILE
from chat_app.services import admin_directory
from chat_app.services.views import size_label, wire_time
from chat_app.states.admin_access import admin_only, on_access_lost
from chat_app.states.service_call import call_service

PAGE_SIZE = 50
# What is searched for is cut to this (a username or a nickname is far shorter).
QUERY_KEPT = 64


@dataclass(frozen=True)
class AdminUserRow:
    """One user as a row of the list shows them (no secret, no hash)."""

    id: int
    username: str
    nickname: str
    is_admin: bool
    # "active", "disabled" or "deleted".
    status: str
    created_at: str
    # "" when never seen.
    last_seen_at: str
    online: bool
    storage: str


def _row(view: admin_directory.AdminUserView, online: bool) -> AdminUserRow:
    status = "deleted" if view.deleted else "disabled" if view.disabled else "active"
    return AdminUserRow(
        id=view.id,
        username=view.username,
        nickname=view.nickname,
        is_admin=view.role == "admin",
        status=status,
        created_at=wire_time(view.created_at),
        last_seen_at=wire_time(view.last_seen_at) if view.last_seen_at else "",
        # Presence lags a disabled or deleted account's tabs leaving by a few seconds;
        # "Disabled · online" right after the action would say the action did not work.
        online=online and status == "active",
        storage=size_label(view.storage_bytes),
    )


class AdminUsersState(rx.State):
    """One page of the users list, and what was searched for."""

    query: str = ""
    # Zero-based.
    page: int = 0
    total: int = 0
    rows: list[AdminUserRow] = []
    _listed_ids: frozenset[int] = frozenset()

    @rx.var
    def page_count(self) -> int:
        """How many pages the search has (at least 1)."""
        return max(1, math.ceil(self.total / PAGE_SIZE))

    @rx.var
    def page_label(self) -> str:
        """The page shown and how many there are, e.g. "2 / 5"."""
        return f"{self.page + 1} / {max(1, math.ceil(self.total / PAGE_SIZE))}"

    def _forget(self) -> None:
        self.query, self.page, self.total, self.rows = "", 0, 0, []
        self._listed_ids = frozenset()

    async def _read(self, viewer_id: int) -> None:
        """Read the current page again (after a search, a page turn, or an action)."""
        views, total = await call_service(
            admin_directory.list_users, viewer_id=viewer_id, query=self.query, page=self.page
        )
        if not views and self.page > 0 and total > 0:
            # The page emptied (accounts went away): show the last one that has rows.
            self.page = max(0, math.ceil(total / PAGE_SIZE) - 1)
            views, total = await call_service(
                admin_directory.list_users, viewer_id=viewer_id, query=self.query, page=self.page
            )
        views = views[:PAGE_SIZE]
        online = await PROFILE.presence_tracker.online_among([view.id for view in views])
        self.rows = [_row(view, view.id in online) for view in views]
        self.total = total
        self._listed_ids = frozenset(view.id for view in views)

    def _lists(self, user_id: object) -> bool:
        """Whether `user_id` (untrusted) is a row of the page this tab was sent."""
        return (
            isinstance(user_id, int)
            and not isinstance(user_id, bool)
            and user_id in self._listed_ids
        )

    @rx.event
    @admin_only
    async def search(self, viewer_id: int, query: str):
        """List the users whose name or username holds `query`, from the first page."""
        self.query = query.strip()[:QUERY_KEPT] if isinstance(query, str) else ""
        self.page = 0
        await self._read(viewer_id)

    @rx.event
    @admin_only
    async def next_page(self, viewer_id: int):
        """The next page of the search, if there is one."""
        if self.page + 1 < self.page_count:
            self.page += 1
            await self._read(viewer_id)

    @rx.event
    @admin_only
    async def previous_page(self, viewer_id: int):
        """The previous page of the search, if there is one."""
        if self.page > 0:
            self.page -= 1
            await self._read(viewer_id)


async def _forget(state: rx.State) -> None:
    (await state.get_state(AdminUsersState))._forget()


on_access_lost(_forget)
