"""The administration page's other sections: settings, the instance's numbers, the audit log.

Every handler runs for an active administrator only (`admin_only`); the services check the
role again inside their transaction and audit each change with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import reflex as rx

from chat_app.i18n import text
from chat_app.realtime.profile import PROFILE
from chat_app.services import admin_directory, admin_settings, audit, invites
from chat_app.services.errors import DomainError
from chat_app.services.views import size_label, wire_time
from chat_app.states.admin_access import admin_only, on_access_lost
from chat_app.states.admin_users import AdminUsersState
from chat_app.states.safe_text import toast_error, toast_success
from chat_app.states.service_call import call_service
from chat_app.states.ui import language_of

SECTIONS = ("users", "invites", "settings", "numbers", "audit")
# Audited actions whose actor is always their target (services/auth.py, setup_code.py).
SELF_ACTIONS = ("first_admin", "setup_claim")


_INVITE_ACTIONS = ("invite_create", "invite_revoke")


@dataclass(frozen=True)
class AuditRow:
    """One line of the audit log as the page shows it."""

    id: int
    created_at: str
    actor_name: str
    action: str
    target_name: str
    # A setting's value ("open", "on") or an invite's expiry ("7d"), shown in words; any
    # other stored detail as it is.
    detail: str
    # An invite's number of uses ("" for other actions).
    uses: str = ""
    # When an invite expires, as `wire_time` ("" for other actions): the link list shows
    # that time beside each link, so the administrator can tell which one it was.
    expires_at: str = ""


def _audit_row(entry: audit.AuditView) -> AuditRow:
    """A stored audit entry as the page shows it."""
    detail, uses, expires_at = entry.detail, "", ""
    if entry.action in _INVITE_ACTIONS and (terms := invites.audited_terms(detail)):
        detail, uses = terms.expiry, terms.uses
        expires_at = wire_time(terms.expires_at) if terms.expires_at else ""
    return AuditRow(
        id=entry.id,
        created_at=wire_time(entry.created_at),
        actor_name=entry.actor_name,
        action=entry.action,
        # Who made themselves the administrator is named once, not again as the target.
        target_name="" if entry.action in SELF_ACTIONS else entry.target_name,
        detail=detail,
        uses=uses,
        expires_at=expires_at,
    )


class AdminOverviewState(rx.State):
    """The open section, the settings, the numbers and one page of the audit log."""

    section: str = "users"
    registration_mode: str = ""
    group_invites_register: bool = True
    numbers: dict[str, str] = {}
    audit_rows: list[AuditRow] = []
    # Zero-based.
    audit_page: int = 0
    audit_total: int = 0

    @rx.var
    def audit_page_count(self) -> int:
        """How many pages the audit log has (at least 1)."""
        return max(1, math.ceil(self.audit_total / audit.PAGE_SIZE))

    @rx.var
    def audit_page_label(self) -> str:
        """The log's page shown and how many there are, e.g. "2 / 5"."""
        return f"{self.audit_page + 1} / {max(1, math.ceil(self.audit_total / audit.PAGE_SIZE))}"

    def _forget(self) -> None:
        self.section, self.registration_mode, self.group_invites_register = "users", "", True
        self.numbers, self.audit_rows, self.audit_page, self.audit_total = {}, [], 0, 0

    async def _load(self, viewer_id: int) -> None:
        """Read every section (the page's load)."""
        await self._read_settings(viewer_id)
        await self._read_numbers(viewer_id)
        await self._read_audit(viewer_id)

    async def _read_settings(self, viewer_id: int) -> None:
        current = await call_service(admin_settings.current, viewer_id=viewer_id)
        self.registration_mode = current.registration_mode
        self.group_invites_register = current.group_invites_register

    async def _read_numbers(self, viewer_id: int) -> None:
        counted = await call_service(admin_directory.instance_numbers, viewer_id=viewer_id)
        self.numbers = {
            "users": str(counted.users),
            "messages": str(counted.messages),
            "files": str(counted.files),
            "storage": size_label(counted.storage_bytes),
            "online": str(await PROFILE.presence_tracker.online_count()),
        }

    async def _read_audit(self, viewer_id: int) -> None:
        entries, total = await call_service(
            admin_settings.audit_page, viewer_id=viewer_id, page=self.audit_page
        )
        self.audit_rows = [_audit_row(entry) for entry in entries]
        self.audit_total = total

    @rx.event
    @admin_only
    async def open_section(self, viewer_id: int, section: str):
        """Show a section; the users, the numbers and the log are read again when opened."""
        if section not in SECTIONS:
            return
        self.section = section
        if section == "users":
            # Someone may have registered (or been changed elsewhere) since it was read.
            await (await self.get_state(AdminUsersState))._read(viewer_id)
        elif section == "numbers":
            await self._read_numbers(viewer_id)
        elif section == "audit":
            await self._read_audit(viewer_id)

    @rx.event
    @admin_only
    async def refresh_numbers(self, viewer_id: int):
        """Count again."""
        await self._read_numbers(viewer_id)

    @rx.event
    @admin_only
    async def set_registration_mode(self, viewer_id: int, mode: str):
        """Change who may register (open, invite, closed)."""
        return await self._change(viewer_id, admin_settings.set_registration_mode, mode=mode)

    @rx.event
    @admin_only
    async def set_group_invites_register(self, viewer_id: int, allowed: bool):
        """Allow or forbid new accounts through group invites."""
        return await self._change(
            viewer_id, admin_settings.set_group_invites_register, allowed=allowed
        )

    async def _change(self, viewer_id: int, service, **arguments: object):
        language = await language_of(self)
        try:
            await call_service(service, actor_id=viewer_id, **arguments)
        except DomainError as error:
            await self._read_settings(viewer_id)
            return toast_error(text(error.code, language))
        await self._read_settings(viewer_id)
        self.audit_page = 0
        await self._read_audit(viewer_id)
        return toast_success(text("admin_settings_saved", language))

    @rx.event
    @admin_only
    async def next_audit_page(self, viewer_id: int):
        """Older entries of the log."""
        if self.audit_page + 1 < self.audit_page_count:
            self.audit_page += 1
            await self._read_audit(viewer_id)

    @rx.event
    @admin_only
    async def previous_audit_page(self, viewer_id: int):
        """Newer entries of the log."""
        if self.audit_page > 0:
            self.audit_page -= 1
            await self._read_audit(viewer_id)


async def _forget(state: rx.State) -> None:
    (await state.get_state(AdminOverviewState))._forget()


on_access_lost(_forget)
