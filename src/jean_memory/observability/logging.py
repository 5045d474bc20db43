"""Logging setup: JSON lines off a terminal (or when asked), readable text on one; a redaction guard on every line.

``log_format``: ``auto`` (JSON unless stderr is a TTY), ``json`` or ``text``. ``log_level``: a standard level name.
The guard is the last line of defence, not the policy: code logs identifiers (request id, user id, client id,
tool name), never credentials or memory text. It masks anything shaped like a credential that slips through.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any, TextIO

from ..settings import Settings

# Keys a LogRecord always has; anything else passed through ``extra=`` becomes a JSON field.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName", "color_message"}

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Authorization headers and bearer/basic credentials.
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 [redacted]"),
    # Our token families: personal API keys and anything else minted with a prefix by security.new_token.
    (re.compile(r"\bjm[a-bd-z]?_[A-Za-z0-9_-]{16,}"), "[redacted]"),  # not jmc_: client ids are public
    # key=value and "key": "value" for credential-ish names (forms, query strings, JSON, reprs).
    (re.compile(r"(?i)([\"']?\b(?:password|passwd|secret|client_secret|token|access_token|refresh_token|"
                r"registration_access_token|code|code_verifier|authorization|api_key|cookie|jm_session|csrf_token|"
                r"q|query|text|content)"
                r"[\"']?\s*[:=]\s*[\"']?)([^\s\"'&,;}]+)"), r"\1[redacted]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrite the formatted message (and string extras) of every record with ``redact``."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the line
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact(value))
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(f"{k}={v}" for k, v in record.__dict__.items()
                          if k not in _STANDARD and not k.startswith("_") and v is not None)
        line = f"{self.formatTime(record, '%H:%M:%S')} {record.levelname:<7} {record.name}: {record.getMessage()}"
        if extras:
            line += f"  {extras}"
        if record.exc_info:
            line += "\n" + redact(self.formatException(record.exc_info))
        return line


def use_json(settings: Settings, stream: TextIO) -> bool:
    fmt = settings.log_format.lower()
    if fmt not in ("auto", "json", "text"):
        raise ValueError(f"JEAN_MEMORY_LOG_FORMAT must be auto, json or text, not {settings.log_format!r}")
    return fmt == "json" or (fmt == "auto" and not stream.isatty())


def configure_logging(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """Install one handler on the root logger (replacing earlier ones of ours); uvicorn's loggers propagate to it."""
    stream = stream or sys.stderr
    level = logging.getLevelName(settings.log_level.upper())
    if not isinstance(level, int):
        raise ValueError(f"JEAN_MEMORY_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {settings.log_level!r}")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if use_json(settings, stream) else TextFormatter())
    handler.addFilter(RedactingFilter())
    handler.set_name("jean_memory")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "jean_memory"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our middleware writes the access line
    # Libraries that print payloads (request URLs, SSE chunks, JSON-RPC messages) at DEBUG: never below INFO, so
    # JEAN_MEMORY_LOG_LEVEL=DEBUG shows our own detail without dumping memory text or tokens.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("sse_starlette", "mcp", "uvicorn", "multipart", "asyncio"):
        logging.getLogger(name).setLevel(max(level, logging.INFO))
    return handler
