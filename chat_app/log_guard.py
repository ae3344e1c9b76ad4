"""Bound what clients can make the server log: no payloads, short lines, a rate limit.

Reflex writes client-supplied text to the log in several places: the public
`handle_frontend_exception` event (any text, unlimited), the type check of state fields
(`but got <the value>`), the event queue (`Error processing event queue entry for
Event(name=..., payload=...)` for a mistyped handler name: a login form's password), and
`on_event` ("Event data: <the frame>"). Exceptions raised on a client value carry it in
their message (`int()` quotes the whole string). Two pieces bound all of that:

- `report_frontend_exception` replaces Reflex's frontend exception handler: one line of at
  most `LINE_LIMIT` characters, control characters replaced, a few reports a minute per
  process, then a count of what was dropped.
- `LogGuard`, a logging filter installed on every logger and handler of the worker
  (`install`): every record of level WARNING or above is rendered once (message plus
  traceback), event payloads are replaced by "<withheld>", each line is cut to
  `LINE_LIMIT`, the record to `RECORD_LIMIT`, lines after the first are indented (a
  client cannot forge a record that starts at column 0), and each call site may write
  `BURST` records, then `PER_MINUTE` a minute; the first record over the limit becomes one
  "suppressing" line and the next one let through says how many were dropped.

Trade-off: a genuine error repeated hundreds of times a minute from one line of code is
logged a few times a minute with a count, not in full; the count says it is happening.
This module imports nothing of the app and not Reflex: it is plain `logging`.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable

LINE_LIMIT = 500
RECORD_LIMIT = 4000
BURST = 10
PER_MINUTE = 10
FRONTEND_BURST = 5
FRONTEND_PER_MINUTE = 5
WITHHELD = "<withheld>"
_MARK = "_chat_log_guard"

logger = logging.getLogger("chat_app.frontend")

# Everything that is not printable on one line: C0/C1 controls (newlines, ESC for ANSI
# sequences), line/paragraph separators, bidi controls that reorder what follows.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# Where Reflex (0.10.1) and its servers put an event payload or a client value in a log
# line; each is replaced by WITHHELD (the event's name stays: it says what was called).
_QUOTED = r"""(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
_PAYLOAD_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # repr(Event): Event(name='...', router_data={...}, payload={...})
    (re.compile(rf"Event\(name=({_QUOTED}).*"), rf"Event(name=\1, {WITHHELD})"),
    (re.compile(r"Event\(name=(?!'|\").*"), f"Event({WITHHELD})"),
    # app.on_event: "... Event data: {data}", "Failed to deserialize event data: {fields}."
    (re.compile(r"(?i)(event data:).*"), rf"\1 {WITHHELD}"),
    (re.compile(r"(?i)(event data must be a dictionary, but received).*"), rf"\1 {WITHHELD}"),
    # Field.__set__: "Expected field 'S.v' to receive type 'T', but got {value!r} of type '...'."
    (
        re.compile(r"(to receive type .*?, but got ).*( of type '<class '[\w.]+'>')"),
        rf"\1{WITHHELD}\2",
    ),
    (re.compile(r"(to receive type .*?, but got ).*"), rf"\1{WITHHELD}"),
    # base_state_processor: "Error transforming event payload for handler X: {ex}"
    (re.compile(r"(Error transforming event payload for handler \S+:).*"), rf"\1 {WITHHELD}"),
    # Any other dict or repr that names a payload.
    (re.compile(r"""(['"]?payload['"]?\s*[=:]\s*)[\[{'"].*"""), rf"\1{WITHHELD}"),
)


def one_line(text: str, limit: int = LINE_LIMIT) -> str:
    """Client text as one bounded, printable line.

    Args:
        text: Any text.
        limit: Most characters kept.

    Returns:
        The text with control characters and line breaks replaced by spaces, cut to
        `limit` characters (with a note saying how much was cut).
    """
    cut = len(text) - limit
    text = _UNPRINTABLE.sub(" ", text[:limit])
    return f"{text}… ({cut} more characters)" if cut > 0 else text


def withhold_payloads(text: str) -> str:
    """Replace every event payload or client value Reflex writes in a log line.

    Args:
        text: A log record's text, possibly several lines.

    Returns:
        The text with those values replaced by WITHHELD, line by line.
    """
    lines = text.split("\n")
    for index, line in enumerate(lines):
        for pattern, replacement in _PAYLOAD_PATTERNS:
            line = pattern.sub(replacement, line, count=1)
        lines[index] = line
    return "\n".join(lines)


def bounded_record_text(text: str) -> str:
    """A record's text with payloads withheld, short lines and continuation lines indented.

    Args:
        text: The message, followed by its traceback if any.

    Returns:
        At most about `RECORD_LIMIT` characters; the head and the tail of a longer text
        are kept (a traceback's last line names the exception).
    """
    # Cut first: the patterns below then never run over megabytes.
    lines = [one_line(line) for line in text[: RECORD_LIMIT * 4].split("\n")]
    lines = withhold_payloads("\n".join(lines)).split("\n")
    if len(text) > RECORD_LIMIT * 4:
        lines.append(f"… ({len(text) - RECORD_LIMIT * 4} more characters)")
    joined = "\n    ".join(lines)
    if len(joined) > RECORD_LIMIT:
        half = RECORD_LIMIT // 2
        cut = f"\n    … ({len(joined) - RECORD_LIMIT} characters cut) …\n    "
        joined = joined[:half] + cut + joined[-half:]
    return joined


class TokenBucket:
    """`burst` events at once, then `per_minute` a minute (one refill per 60/per_minute s)."""

    def __init__(
        self, burst: int, per_minute: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = float(burst)
        self.rate = per_minute / 60.0
        self.clock = clock
        self.tokens = float(burst)
        self.stamp = clock()

    def allow(self) -> bool:
        """Take one token if there is one.

        Returns:
            Whether the event may happen now.
        """
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class _Limiter:
    """A token bucket and a count of what it refused, per key (thread-safe)."""

    def __init__(self, burst: int, per_minute: int, clock: Callable[[], float]) -> None:
        self.burst, self.per_minute, self.clock = burst, per_minute, clock
        self.buckets: dict[object, TokenBucket] = {}
        self.suppressed: dict[object, int] = {}
        self.lock = threading.Lock()

    def check(self, key: object) -> tuple[bool, int]:
        """Whether `key` may log now.

        Returns:
            (allowed, n): when allowed, n records were suppressed since the last one let
            through; when refused, n is this record's rank in the suppressed run (1 for
            the first, which gets a notice).
        """
        with self.lock:
            bucket = self.buckets.get(key)
            if bucket is None:
                bucket = self.buckets[key] = TokenBucket(self.burst, self.per_minute, self.clock)
            if bucket.allow():
                return True, self.suppressed.pop(key, 0)
            count = self.suppressed[key] = self.suppressed.get(key, 0) + 1
            return False, count


class LogGuard(logging.Filter):
    """Bounds every WARNING+ record (see the module docstring); idempotent per record."""

    def __init__(
        self,
        burst: int = BURST,
        per_minute: int = PER_MINUTE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.limiter = _Limiter(burst, per_minute, clock)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; False drops it (over its call site's rate).

        Installed on loggers and on handlers, so a record may pass several times: the
        verdict is kept on the record and the work done once.
        """
        verdict = record.__dict__.get(_MARK)
        if verdict is None:
            verdict = record.__dict__[_MARK] = self._decide(record)
        return verdict

    def _decide(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        allowed, count = self.limiter.check((record.name, record.pathname, record.lineno))
        if not allowed and count > 1:
            return False
        text = _record_text(record)
        if not allowed:
            text = (
                f"log guard: more than {self.limiter.burst} records at once or "
                f"{self.limiter.per_minute} a minute from {record.name}:{record.lineno}; "
                "suppressing them (the next one let through gives the count). First one:\n" + text
            )
        elif count:
            text = f"({count} similar records suppressed) {text}"
        record.msg, record.args = bounded_record_text(text), ()
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        # The text is plain now: never parse it as rich markup.
        record.__dict__["rich"] = False
        return True


def _record_text(record: logging.LogRecord) -> str:
    try:
        text = record.getMessage()
    except Exception:  # a broken format string is still logged, bounded
        text = f"{record.msg!s} {record.args!r}"
    if record.exc_info and record.exc_info[0] is not None:
        text += "\n" + logging.Formatter().formatException(record.exc_info)
    elif record.exc_text:
        text += "\n" + record.exc_text
    if record.stack_info:
        text += "\n" + record.stack_info
    return text


_GUARD = LogGuard()


def install(guard: LogGuard = _GUARD) -> int:
    """Put `guard` on every logger that exists and on every handler they have.

    Loggers are filtered where records start (a logger's filters do not see its
    children's records), handlers catch records of loggers created later. Idempotent.

    Args:
        guard: The filter (one per process: its rate limits are shared).

    Returns:
        How many loggers and handlers got the filter.
    """
    loggers: list[logging.Logger] = [logging.getLogger()]
    loggers += [
        item
        for item in logging.Logger.manager.loggerDict.values()
        if isinstance(item, logging.Logger)
    ]
    added = 0
    for item in loggers:
        for target in (item, *item.handlers):
            if guard not in target.filters:
                target.addFilter(guard)
                added += 1
    return added


async def install_log_guard() -> None:
    """Lifespan task: install the guard once the worker runs.

    Not at import: tests that import the app keep plain logging.
    """
    count = install()
    logging.getLogger(__name__).info("log guard on %d loggers and handlers", count)


_FRONTEND = _Limiter(FRONTEND_BURST, FRONTEND_PER_MINUTE, time.monotonic)


def report_frontend_exception(exception: Exception) -> None:
    """`rx.App(frontend_exception_handler=...)`: log a browser's error report, bounded.

    The report is whatever a client chose to send (any socket can call the event), so it
    is one line of at most LINE_LIMIT characters, and at most FRONTEND_BURST at once and
    FRONTEND_PER_MINUTE a minute per process; the first report over the limit logs one
    notice, the next one let through says how many were dropped.

    Args:
        exception: Reflex wraps the client's text in an Exception.
    """
    allowed, count = _FRONTEND.check("frontend")
    if not allowed:
        if count == 1:
            logger.warning(
                "Frontend exception reports: more than %d a minute, suppressing them",
                FRONTEND_PER_MINUTE,
            )
        return
    suppressed = f" ({count} reports suppressed before this one)" if count else ""
    # Room for the prefix: the whole record stays within the guard's line limit.
    text = one_line(str(exception), LINE_LIMIT - 100)
    logger.warning("Frontend exception reported by a client%s: %s", suppressed, text)
