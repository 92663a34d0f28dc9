"""How far a long run is: a bar on a terminal, and elsewhere (cron, a container's log) a log line every few
seconds with the count, the rate and the time left, which a bar's carriage returns would garble."""

from __future__ import annotations

import logging
import time

from tqdm import tqdm

log = logging.getLogger(__name__)

LINE_EVERY = 10.0  # seconds between progress lines


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


class ProgressLines:
    """``update()`` once per item; logs at INFO at most every ``every`` seconds, and once at the end."""

    def __init__(self, total: int, what: str, every: float = LINE_EVERY):
        self.total, self.what, self.every = total, what, every
        self.done = 0
        self.started = self.last = time.monotonic()

    def __enter__(self) -> ProgressLines:
        return self

    def __exit__(self, *exc) -> None:
        if self.done:
            self._line(final=True)

    def update(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self._line(final=False)

    def _line(self, final: bool) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.done / elapsed
        details = {"done": self.done, "total": self.total, "rate": round(rate, 1), "elapsed": round(elapsed, 1)}
        if final:
            log.info("read %d %s in %s (%.0f/s)", self.done, self.what, _duration(elapsed), rate, extra=details)
            return
        share = f" of about {self.total} ({min(self.done / self.total, 1):.0%})" if self.total else ""
        left = f", about {_duration((self.total - self.done) / rate)} left" if self.total > self.done and rate else ""
        log.info("%d %s%s, %.0f/s%s", self.done, self.what, share, rate, left, extra=details)


class _Off:
    def __enter__(self) -> _Off:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def update(self, count: int = 1) -> None:
        pass


def progress(total: int, what: str, mode: str):
    """A progress reporter for ``mode``: "bar" (tqdm on stderr), "lines" (log lines) or "off"."""
    if mode == "bar":
        return tqdm(total=total, unit=f" {what}", dynamic_ncols=True, mininterval=0.5)
    return ProgressLines(total, what) if mode == "lines" else _Off()
