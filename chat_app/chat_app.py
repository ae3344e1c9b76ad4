"""The Reflex app: pages and their load handlers. Nothing else lives here."""

import reflex as rx

from chat_app import log_guard, routes
from chat_app.components.connection_notice import connection_notice
from chat_app.components.home_screen import home_screen_tags
from chat_app.components.page_language import page_language
from chat_app.http import hardening
from chat_app.http.file_routes import file_routes
from chat_app.pages.account import account_page, account_title
from chat_app.pages.admin import admin_page, admin_title
from chat_app.pages.auth import auth_page, auth_title
from chat_app.pages.chat import chat_page, chat_title
from chat_app.pages.invite import invite_page, invite_title
from chat_app.pages.reset import reset_page, reset_title
from chat_app.pages.setup import setup_page, setup_title
from chat_app.realtime.gc_pauses import freeze_startup_heap
from chat_app.realtime.push import bind_app, take_pushes_for_own_sockets
from chat_app.realtime.redis_outage import wait_out_redis_outages
from chat_app.services import database, setup_code
from chat_app.settings import SETTINGS
from chat_app.states.admin_page import AdminPageState
from chat_app.states.auth import AuthState
from chat_app.states.chat_page import ChatPageState
from chat_app.states.client_input import ClientInputGuard
from chat_app.states.error_handler import backend_error_toast
from chat_app.states.event_arguments import ArgumentGuard, refuse_unknown_events
from chat_app.states.invite_page import InvitePageState
from chat_app.states.my_account import MyAccountState
from chat_app.states.password_reset import PasswordResetState
from chat_app.states.presence import PresenceState, sweep_expired_tabs, sweep_stray_sentinels
from chat_app.states.safe_text import install_marker_guard_if_requested
from chat_app.states.session_hydrate import SessionNeedsItsToken
from chat_app.states.setup import SetupState
from chat_app.states.ui import UiState, tr

# Tests start backends with the Var-marker guard: user text reaching Reflex's parser fails.
install_marker_guard_if_requested()

app = rx.App(
    stylesheets=["/styles.css"],
    # Our routes first (signed downloads), then the /_upload guard, the Origin check and
    # the security headers around everything (the built pages of --single-port included).
    api_transformer=[file_routes(), *hardening.transformers(SETTINGS.max_upload_bytes)],
    head_components=[
        rx.el.meta(
            name="viewport",
            content=(
                "width=device-width, initial-scale=1, viewport-fit=cover, "
                "interactive-widget=resizes-content"
            ),
        ),
        *home_screen_tags(),
    ],
    backend_exception_handler=backend_error_toast,
    # A client's error report: one short line, a few a minute (log_guard).
    frontend_exception_handler=log_guard.report_frontend_exception,
    # Top of the screen: at the bottom, toasts would cover the composer's send button. On
    # phones, styles.css moves them where they cover no control.
    # Sonner names the toasts' region "Notifications" whatever the page's language.
    toaster=rx.toast.provider(
        position="top-center",
        close_button=True,
        custom_attrs={"containerAriaLabel": tr("toasts_label")},
    ),
)
# Reflex's default overlay (an English toast naming the socket's address, a red Wi-Fi icon
# behind the Send button) gives way to the page's own notice, in the reader's language.
app.app_wraps[(5, "Overlay")] = connection_notice
# Inside the state's provider (100), around the overlay and the pages.
app.app_wraps[(6, "Language")] = page_language
app.add_page(
    chat_page,
    route=routes.CHAT,
    # A state var as the page title: one <title>, "(3) Chat" while messages are unread.
    title=chat_title(),
    # One event loads every state of the page (states/chat_page.py); the presence
    # sentinel is a background task of its own.
    on_load=[ChatPageState.load, PresenceState.track],
)
app.add_page(
    admin_page,
    route=routes.ADMIN,
    title=admin_title(),
    # Like the chat's: the login check (and administrators only) in one event, presence apart.
    on_load=[AdminPageState.load, PresenceState.track],
)
app.add_page(
    auth_page,
    route=routes.AUTH,
    title=auth_title(),
    on_load=[
        UiState.detect_language,
        AuthState.skip_auth_if_logged_in,
        SetupState.load_register_field,
    ],
)
app.add_page(
    setup_page,
    route=routes.SETUP,
    title=setup_title(),
    on_load=[UiState.detect_language, SetupState.load_setup_page],
)
app.add_page(
    account_page,
    route=routes.ACCOUNT,
    title=account_title(),
    # The chat page's login guard (anonymous tabs go to /auth), then the devices.
    on_load=[UiState.detect_language, AuthState.require_login, MyAccountState.load],
)
app.add_page(
    reset_page,
    route=routes.RESET,
    title=reset_title(),
    on_load=[UiState.detect_language, PasswordResetState.load],
)
app.add_page(
    invite_page,
    route=routes.INVITE,
    title=invite_title(),
    # The language first: the page's messages are written in it.
    on_load=InvitePageState.load,
)
# With Redis, an event waits out a short outage instead of being dropped (redis_outage).
wait_out_redis_outages(app)
bind_app(app)
# An event must name a handler and fit its signature (names and types), or it is dropped.
app.add_middleware(ArgumentGuard())
refuse_unknown_events(app)
hardening.restrict_socket(app)
# Runs in every worker before it serves: private data out of every folder Reflex serves.
app.register_lifespan_task(hardening.prepare_data_folder)
# Also before serving: the database engine, an SQLite file already in WAL mode (no request
# ever switches it, which needs the file to itself).
app.register_lifespan_task(database.open_database)
# While no administrator exists, the setup code that makes the first one (once per worker).
app.register_lifespan_task(setup_code.announce_if_no_admin)
# Browser storage values and error reports are checked before Reflex applies them.
app.add_middleware(ClientInputGuard())
# A reconnecting tab is logged in only by the token its browser sends again.
app.add_middleware(SessionNeedsItsToken())
# What clients can make the server log is bounded: no payloads, short lines, rate-limited.
app.register_lifespan_task(log_guard.install_log_guard)
app.register_lifespan_task(freeze_startup_heap)
app.register_lifespan_task(sweep_expired_tabs)
app.register_lifespan_task(sweep_stray_sentinels)
# With several workers, a tab's pushes are applied by the worker holding its socket.
app.register_lifespan_task(take_pushes_for_own_sockets)
