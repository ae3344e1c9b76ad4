"""Reflex configuration: everything tunable comes from the environment via settings."""

import reflex as rx

from chat_app.settings import SETTINGS

config = rx.Config(
    app_name="chat_app",
    db_url=SETTINGS.database_url,
    # A private chat server must not report usage to third parties.
    telemetry_enabled=False,
    # Plugins are listed explicitly so Reflex does not guess (and warn) at compile time.
    plugins=[rx.plugins.RadixThemesPlugin()],
    disable_plugins=[rx.plugins.SitemapPlugin],
    show_built_with_reflex=False,
)
