from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from jean_memory.observability.logging import configure_logging
from jean_memory.settings import Settings


class CapturedLog:
    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def requests(self) -> list[dict[str, Any]]:
        return [r for r in self.records() if r["logger"] == "jean_memory.access"]


@pytest.fixture
def captured_log(settings: Settings) -> Iterator[CapturedLog]:
    """Everything the process logs while the test runs, as JSON lines, through the real logging setup."""
    cap = CapturedLog()
    root = logging.getLogger()
    old_level, old_handlers = root.level, list(root.handlers)
    handler = configure_logging(settings.model_copy(update={"log_format": "json", "log_level": "DEBUG"}), cap.stream)
    try:
        yield cap
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        for h in old_handlers:
            if h not in root.handlers:
                root.addHandler(h)
