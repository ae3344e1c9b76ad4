"""What a phone needs to put the app on its home screen: manifest, icons, theme colour.

The files live in assets/, so the single-port server and a static export serve them alike.
"""

from __future__ import annotations

import reflex as rx

MANIFEST_URL = "/manifest.webmanifest"
# The page's background in each colour scheme (Radix Themes' light and dark).
LIGHT_BACKGROUND = "#ffffff"
DARK_BACKGROUND = "#111113"


def home_screen_tags() -> list[rx.Component]:
    """Head elements for every page (rx.App's head_components)."""
    return [
        rx.el.link(rel="manifest", href=MANIFEST_URL),
        rx.el.link(rel="icon", type="image/png", sizes="192x192", href="/icon-192.png"),
        rx.el.link(rel="apple-touch-icon", href="/icon-192.png"),
        # The browser's bars take the page's colour, in light and in dark mode.
        rx.el.meta(
            name="theme-color",
            content=LIGHT_BACKGROUND,
            custom_attrs={"media": "(prefers-color-scheme: light)"},
        ),
        rx.el.meta(
            name="theme-color",
            content=DARK_BACKGROUND,
            custom_attrs={"media": "(prefers-color-scheme: dark)"},
        ),
    ]
