"""One log format for gonggu, uvicorn and httpx: a JSON object per line (structlog), or a
readable line with GONGGU_LOG_FORMAT=text.

Every line has `timestamp`, `level`, `event` and `logger`; a line written while a request is
handled has its `requestId`; business lines add `orderId`, `transactionId`, `platform`.
Secrets never reach the output: values under secret-looking keys are replaced, token-like
query parameters are blanked and long digit runs (account and card numbers) are masked.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

SECRET_KEYS = re.compile(r"token|secret|password|pass_?phrase|authorization|api_?key", re.I)
SECRET_PARAMS = re.compile(
    r"(\b[\w-]*(?:token|secret|password|pass_?phrase)[\w-]*=)[^&\s\"']+", re.I
)
BEARER = re.compile(r"\b(Bearer|SECRET_KEY|Basic)\s+[A-Za-z0-9._~+/=-]+", re.I)
LONG_DIGITS = re.compile(r"(?<![\w-])(\d{6,})(\d{4})(?![\w-])")
# Whatever the three patterns above can change contains one of their words (SECRET_KEY holds
# "secret") or ten digits in a row, matched with the same flags. Most values of a line (ids,
# amounts, event names, the timestamp) contain none: one search rules them out, instead of
# three substitutions per value on every line.
MAYBE_SECRET = re.compile(r"token|secret|password|pass_?phrase|bearer|basic|\d{10}", re.I)
REDACTED = "[redacted]"
QUIET_LIBRARIES = ("httpcore", "aiormq", "aio_pika", "asyncio")


def redact_text(text: str) -> str:
    """Blanks tokens and masks account-number-like digit runs in free text."""
    return _substitute(text) if MAYBE_SECRET.search(text) else text


def _substitute(text: str) -> str:
    text = SECRET_PARAMS.sub(rf"\1{REDACTED}", text)
    text = BEARER.sub(rf"\1 {REDACTED}", text)
    return LONG_DIGITS.sub(lambda m: "*" * len(m.group(1)) + m.group(2), text)


def _redact_value(key: str, value: Any) -> Any:
    if SECRET_KEYS.search(key) and value not in (None, ""):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    return value


def redact(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> Any:
    """A structlog processor: the last word before a line is written."""
    event_dict.pop("color_message", None)  # uvicorn's copy of the message with ANSI colours
    for key in list(event_dict):
        event_dict[key] = _redact_value(key, event_dict[key])
    return event_dict


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
    ]


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time (redirected or captured later too).

    Standard error, so that a command's own output on standard output (`gonggu stuck
    --json`, `gonggu events`) stays clean for a pipe."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(log_format: str = "json", level: int = logging.INFO) -> None:
    """Routes structlog and the standard library (uvicorn, httpx, ours) through one handler."""
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=False)
        if log_format == "text"
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_shared_processors(), structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
    )
    handler = _StderrHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        # uvicorn's own handlers would print a second, differently formatted line.
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
