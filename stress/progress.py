"""The live progress line of a stress run: rich's live display if rich is installed, else plain text.

On a terminal the plain line is rewritten in place; elsewhere (CI logs, pipes) a line is printed
every `PLAIN_EVERY` seconds so logs stay short.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from stress.config import RunConfig
from stress.memory import MB

PLAIN_EVERY = 10.0


def progress_text(config: RunConfig, message: dict, rate: float) -> str:
    """One line: elapsed against budget, operations and their rate, findings, resident memory."""
    ops = sum(message["ops_by_kind"].values())
    budget = f"/{config.seconds:g} s" if config.seconds is not None else f" s, {ops:,}/{config.ops:,} ops"
    return (
        f"[{config.workload}] {message['elapsed']:.1f}{budget}  {ops:,} ops  {rate:,.0f} ops/s  "
        f"mismatches {message['mismatches']}  errors {message['errors']}  rss {message['rss'] / MB:.0f} MB"
    )


class Progress:
    """Shows progress messages of a run; use as a context manager around the run."""

    def __init__(self, config: RunConfig, stream: TextIO = sys.stderr, enabled: bool = True) -> None:
        self.config = config
        self.stream = stream
        self.enabled = enabled
        self._tty = stream.isatty()
        self._live = None
        self._last_plain = float("-inf")
        self._last_ops = 0
        self._last_elapsed = 0.0
        self._width = 0

    def __enter__(self) -> Progress:
        if self.enabled and self._tty:
            try:
                from rich.console import Console
                from rich.live import Live
            except ImportError:
                pass
            else:
                self._live = Live("", console=Console(file=self.stream), transient=True, refresh_per_second=4)
                self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(*exc)
        elif self.enabled and self._tty and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()

    def update(self, message: dict) -> None:
        """Show one `progress` message of the child; the rate is over the last interval."""
        ops = sum(message["ops_by_kind"].values())
        interval = message["elapsed"] - self._last_elapsed
        rate = (ops - self._last_ops) / interval if interval > 0 else 0.0
        self._last_ops, self._last_elapsed = ops, message["elapsed"]
        if not self.enabled:
            return
        text = progress_text(self.config, message, rate)
        if self._live is not None:
            from rich.text import Text

            self._live.update(Text(text))  # plain text: "[workload]" is not rich markup
        elif self._tty:
            self._width = max(self._width, len(text))
            self.stream.write("\r" + text.ljust(self._width))
            self.stream.flush()
        elif time.monotonic() - self._last_plain >= PLAIN_EVERY:
            self._last_plain = time.monotonic()
            self.stream.write(text + "\n")
            self.stream.flush()
