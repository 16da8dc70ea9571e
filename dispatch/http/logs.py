"""Logging set-up: one format for every line of the process.

structlog's events and the standard library's records (uvicorn's ``uvicorn``, ``uvicorn.error``
and ``uvicorn.access``, and any library's) all reach one handler on the root logger, whose
``structlog.stdlib.ProcessorFormatter`` renders them alike: JSON lines (or the console
renderer), with context variables merged in and bearer tokens redacted.
"""

from __future__ import annotations

import logging
import re
import sys

import structlog

_TOKEN = re.compile(r"(token=)[^&\s\"']+")
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


class RedactTokens(logging.Filter):
    """Bearer tokens in websocket URLs (``?token=…``) never reach a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict):  # a structlog event: redacted by ``redact_tokens``
            return True
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        record.msg = _TOKEN.sub(r"\1***", str(record.msg))
        return True


def redact_tokens(
    _logger: object, _method: str, event_dict: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    """The structlog side of ``RedactTokens``: no string value carries a ``token=``."""
    for key, value in event_dict.items():
        if isinstance(value, str) and "token=" in value:
            event_dict[key] = _TOKEN.sub(r"\1***", value)
    return event_dict


class _Handler(logging.StreamHandler):  # type: ignore[type-arg] # stream type of sys.stderr
    """The process's one log handler (found again, not added twice, on a second configure)."""


def formatter(json: bool = True) -> structlog.stdlib.ProcessorFormatter:
    """The formatter of every line: structlog's events and foreign (stdlib) records alike."""
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer()
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_tokens,
            renderer,
        ],
    )


def configure(level: str = "INFO", json: bool = True) -> None:
    """Configure structlog and the standard library's root logger (again: replaced, not added)."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,  # while the exception is the current one
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    handler = _Handler(sys.stderr)
    handler.setLevel(level.upper())  # uvicorn's INFO lines too
    handler.setFormatter(formatter(json))
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in UVICORN_LOGGERS:  # uvicorn's own handlers (its dictConfig) would print plain text
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
