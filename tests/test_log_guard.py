"""The log guard: what a client can make the server log is short, paced and payload-free."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from reflex.state import State
from reflex_base.event import Event

from chat_app import log_guard
from chat_app.log_guard import LINE_LIMIT, RECORD_LIMIT, LogGuard, one_line

PASSWORD = "hunter2-Secret-Passphrase"
MEGABYTE = 1_000_000


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def guarded(clock: Clock) -> Iterator[tuple[logging.Logger, Collect]]:
    """A logger whose handler carries a fresh guard (nothing global is changed)."""
    log = logging.getLogger("tests.log_guard.sample")
    handler = Collect()
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    handler.addFilter(LogGuard(clock=clock))
    log.addHandler(handler)
    log.propagate = False
    yield log, handler
    log.removeHandler(handler)
    log.propagate = True


def physical_lines(handler: Collect) -> list[str]:
    return "\n".join(handler.lines).split("\n")


def test_one_line_strips_breaks_escapes_and_bidi_and_cuts():
    text = "a\nERROR forged\r\x1b[31mred\u2028\u202etxt.exe" + "x" * 2000
    line = one_line(text)
    assert "\n" not in line
    assert "\r" not in line
    assert "\x1b" not in line
    assert "\u2028" not in line
    assert "\u202e" not in line
    assert len(line) < LINE_LIMIT + 40
    assert line.endswith("more characters)")


def test_a_forged_log_line_stays_inside_its_record(guarded):
    log, handler = guarded
    log.warning("client said: %s", "hello\nERROR: [2026-01-01] admin logged in\r\nINFO: ok")
    lines = physical_lines(handler)
    assert lines[0].startswith("WARNING: client said: hello")
    # Every further line is indented: none can pass for a record of its own.
    assert all(line.startswith("    ") for line in lines[1:])
    assert len(lines) == 3


def test_an_unknown_event_is_logged_by_name_never_with_its_payload(guarded):
    log, handler = guarded
    event = Event(
        name=f"{State.get_full_name()}.chat_app___states___auth____auth_state.logn",
        router_data={"pathname": "/auth"},
        payload={"form_data": {"username": "ann", "password": PASSWORD}},
    )
    try:
        raise KeyError(f"No registered handler found for event: {event.name}")
    except KeyError:
        # The exact call Reflex's event processor makes (event_processor.py).
        log.exception(f"Error processing event queue entry for {event} [txid=1]:")
    text = "\n".join(handler.lines)
    assert PASSWORD not in text
    assert "auth_state.logn" in text
    assert "<withheld>" in text


@pytest.mark.parametrize(
    "message",
    [
        # reflex/app.py on_event
        f"Received event data as a string. Event data: {{'payload': {{'p': '{PASSWORD}'}}}}",
        f"Failed to deserialize event data: {{'name': 'x', 'payload': '{PASSWORD}'}}.",
        f"Event data must be a dictionary, but received ['{PASSWORD}'] of type <class 'list'>.",
        # reflex_base/vars/base.py Field.__set__
        f"Expected field 'UiState.language' to receive type 'str', but got "
        f"{{'p': '{PASSWORD}'}} of type '<class 'dict'>'.",
        # reflex_base/event/processor/base_state_processor.py
        f"Error transforming event payload for handler AuthState.login: bad '{PASSWORD}'",
    ],
)
def test_messages_that_quote_client_values_withhold_them(guarded, message):
    log, handler = guarded
    log.error(message)
    assert PASSWORD not in handler.lines[0]
    assert "<withheld>" in handler.lines[0]


def test_a_megabyte_exception_message_is_cut(guarded):
    log, handler = guarded
    try:
        int("9" * 10 + "x" * MEGABYTE)  # int() quotes the whole string in its error
    except ValueError:
        log.exception("event handler failed")
    record = handler.lines[0]
    assert len(record) < RECORD_LIMIT + 200
    assert "Traceback" in record
    assert "ValueError" in record


def test_each_call_site_is_paced_and_the_suppressed_are_counted(guarded, clock):
    log, handler = guarded

    def say(message: str) -> None:
        log.warning(message)  # one call site for every record

    for n in range(200):
        say(f"flood {n}")
    # BURST records, then one notice (carrying the first suppressed record), then nothing.
    assert len(handler.lines) == log_guard.BURST + 1
    assert "suppressing" in handler.lines[-1]
    clock.now += 60 / log_guard.PER_MINUTE
    say("after the pause")
    assert len(handler.lines) == log_guard.BURST + 2
    suppressed = 200 - log_guard.BURST
    assert f"({suppressed} similar records suppressed) after the pause" in handler.lines[-1]


def test_other_call_sites_are_not_silenced_by_a_flood(guarded):
    log, handler = guarded
    for _ in range(100):
        log.warning("flood")
    log.warning("a different line of code")
    assert handler.lines[-1].endswith("a different line of code")


def test_info_and_debug_records_are_left_alone(guarded):
    log, handler = guarded
    log.setLevel(logging.DEBUG)
    for _ in range(50):
        log.info("started\nsecond line")
    assert len(handler.lines) == 50
    assert handler.lines[0] == "INFO: started\nsecond line"


def test_a_record_seen_by_several_filters_is_counted_once(clock):
    guard = LogGuard(burst=2, per_minute=1, clock=clock)
    record = logging.LogRecord("x", logging.WARNING, "f.py", 1, "m", (), None)
    assert all(guard.filter(record) for _ in range(5))


def test_install_reaches_loggers_and_their_handlers():
    guard = LogGuard()
    sample = logging.getLogger("tests.log_guard.installed")
    handler = logging.NullHandler()
    sample.addHandler(handler)
    try:
        assert log_guard.install(guard) > 0
        assert guard in sample.filters
        assert guard in handler.filters
        assert guard in logging.getLogger().filters
        assert log_guard.install(guard) == 0  # idempotent
    finally:
        sample.removeHandler(handler)
        for item in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
            if isinstance(item, logging.Logger):
                for target in (item, *item.handlers):
                    target.removeFilter(guard)


def test_frontend_reports_are_one_short_line_a_few_a_minute(monkeypatch, clock, caplog):
    monkeypatch.setattr(
        log_guard,
        "_FRONTEND",
        log_guard._Limiter(log_guard.FRONTEND_BURST, log_guard.FRONTEND_PER_MINUTE, clock),
    )
    caplog.set_level(logging.WARNING, logger="chat_app.frontend")
    forged = "TypeError: x\nERROR: forged line\n" + "A" * MEGABYTE
    for _ in range(50):
        log_guard.report_frontend_exception(Exception(forged))
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == log_guard.FRONTEND_BURST + 1
    assert all("\n" not in message for message in messages)
    assert all(len(message) < LINE_LIMIT + 120 for message in messages)
    assert "suppressing" in messages[-1]
    clock.now += 60
    log_guard.report_frontend_exception(Exception("later"))
    assert f"{50 - log_guard.FRONTEND_BURST} reports suppressed" in caplog.records[-1].getMessage()
