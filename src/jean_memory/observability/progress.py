"""A progress bar for long CLI operations, drawn on stderr only when stderr is a terminal (silent otherwise)."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

_WIDTH = 30


class Progress:
    """``with Progress("backup", total=n) as bar: bar.update(done)`` or ``bar.advance()``. Unknown total: a counter."""

    def __init__(self, label: str, total: int | None = None, stream: TextIO | None = None,
                 enabled: bool | None = None) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._last = 0.0
        self._drawn = False

    def advance(self, n: int = 1) -> None:
        self.update(self.done + n)

    def update(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        now = time.monotonic()
        finished = self.total is not None and done >= self.total
        if self.enabled and (finished or now - self._last >= 0.1):
            self._last = now
            self._draw()

    def render(self) -> str:
        if not self.total:
            return f"{self.label}: {self.done}"
        frac = min(1.0, self.done / self.total)
        filled = int(frac * _WIDTH)
        return f"{self.label} [{'#' * filled}{'.' * (_WIDTH - filled)}] {frac:4.0%} {self.done}/{self.total}"

    def _draw(self) -> None:
        self.stream.write("\r\x1b[2K" + self.render())
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self.enabled:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
