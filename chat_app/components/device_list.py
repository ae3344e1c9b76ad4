"""My devices: browser and system, last active, address, "Log out this device", and
"Log out all other devices" (with a confirmation: it may end many sessions at once)."""

from __future__ import annotations

import reflex as rx

from chat_app.components.confirm_row import confirm_row
from chat_app.states.my_account import DeviceRow, MyAccountState
from chat_app.states.ui import moment_locale, tr


def _name(device: DeviceRow) -> rx.Component:
    # Browser and system names come from a fixed table (services/devices.py), the same in
    # both languages; only "unknown" is translated.
    return rx.text(
        rx.cond(device.browser != "", device.browser, tr("account_unknown_browser")),
        " \u00b7 ",
        rx.cond(device.system != "", device.system, tr("account_unknown_system")),
        weight="medium",
        overflow_wrap="anywhere",
    )


def _row(device: DeviceRow) -> rx.Component:
    return rx.box(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    _name(device),
                    rx.cond(
                        device.this_device,
                        rx.badge(tr("account_this_device"), color_scheme="green"),
                    ),
                    wrap="wrap",
                    align="center",
                ),
                rx.text(
                    # The label holds its colon (Chinese writes a full-width one).
                    tr("account_last_active"),
                    rx.moment(device.last_active, from_now=True, locale=moment_locale()),
                    color_scheme="gray",
                    size="2",
                ),
                rx.text(
                    tr("account_address"),
                    rx.cond(device.address != "", device.address, tr("account_unknown_address")),
                    color_scheme="gray",
                    size="2",
                    overflow_wrap="anywhere",
                ),
                spacing="1",
                min_width="0",
            ),
            rx.cond(
                device.this_device,
                rx.fragment(),
                rx.button(
                    tr("account_log_out_device"),
                    variant="soft",
                    color_scheme="red",
                    class_name="device-log-out",
                    on_click=MyAccountState.log_out_device(device.session_id),
                ),
            ),
            justify="between",
            align="center",
            gap="2",
            wrap="wrap",
        ),
        class_name="device-row",
        padding="0.75em 0",
        border_bottom="1px solid var(--gray-a5)",
        width="100%",
    )


def _log_out_others() -> rx.Component:
    return rx.cond(
        MyAccountState.confirming_log_out_others,
        rx.vstack(
            rx.text(tr("account_log_out_others_question"), id="log-out-others-question"),
            confirm_row(
                MyAccountState.cancel_log_out_others,
                tr("account_log_out_others_confirm"),
                MyAccountState.log_out_other_devices,
                "log-out-others-confirm",
                color_scheme="red",
            ),
            width="100%",
        ),
        rx.button(
            tr("account_log_out_others"),
            id="log-out-others",
            variant="outline",
            color_scheme="red",
            on_click=MyAccountState.ask_log_out_others,
        ),
    )


def device_list() -> rx.Component:
    """The viewer's devices, this one first; "Log out all other devices" when there are."""
    return rx.vstack(
        rx.vstack(
            rx.foreach(MyAccountState.devices, _row),
            id="device-list",
            spacing="0",
            width="100%",
        ),
        rx.cond(MyAccountState.has_other_devices, _log_out_others()),
        spacing="3",
        width="100%",
    )
