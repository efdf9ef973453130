"""Per-module dumps for people: the IR as given (`ir`), the IR the code generator sees (`opt`) and
the assembly (`asm`).

Asked for with `GFJIT_DUMP=ir,opt,asm` (directory `GFJIT_DUMP_DIR`, default `gfjit-dump` in the
working directory) or with a DumpConfig passed to `jit.compile` / `jit.JitPool`.

File names are predictable (pid, a counter, the module name), so every file is created new with
O_EXCL|O_NOFOLLOW: a link or file planted under the next name is skipped, never written through.
A dump that cannot be written turns off the dumps into that directory for the rest of the process,
with one warning; a bad GFJIT_DUMP turns off the dumps it asks for, with one warning. Neither is
ever an error of the compile that wanted the dump.
"""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .notice import warn_once
from .safefiles import create_new

KINDS = {"ir": ".ll", "opt": ".opt.ll", "asm": ".s"}
_counter = itertools.count()  # next() on a count is atomic under the GIL
_NAME_ATTEMPTS = 100  # names taken by planted files before a write gives up
_broken: set[Path] = set()  # directories a dump could not be written to (set.add: atomic)


@dataclass(frozen=True)
class DumpConfig:
    """Which dumps to write, and where."""

    kinds: frozenset[str] = frozenset()
    directory: Path = Path("gfjit-dump")

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - KINDS.keys()
        if unknown:
            raise ValueError(f"unknown dump kind(s) {sorted(unknown)}; known: {sorted(KINDS)}")

    def wants(self, kind: str) -> bool:
        return kind in self.kinds and self.directory not in _broken

    def write(self, module: str, kind: str, text: str) -> Path:
        """Write one dump to a new file; files are numbered so that modules of the same name never
        collide. Raises OSError if it cannot (FileExistsError if every name tried was taken)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", module)[:100]
        data = text.encode("utf-8", errors="backslashreplace")
        for _ in range(_NAME_ATTEMPTS):
            path = self.directory / f"{os.getpid()}-{next(_counter):06d}-{safe}{KINDS[kind]}"
            try:
                create_new(path, data, mode=0o644)
                return path
            except FileExistsError:
                continue
        raise FileExistsError(f"{self.directory}: {_NAME_ATTEMPTS} dump names in a row were "
                              "taken by files this process did not make")

    def record(self, module: str, kind: str, text: str) -> None:
        """Write one dump if still wanted; a failure turns off the dumps into this directory, with
        one warning, and is never raised."""
        if not self.wants(kind):
            return
        try:
            self.write(module, kind, text)
        except OSError as error:
            _broken.add(self.directory)
            warn_once(f"dumps into {str(self.directory)!r} turned off: {error}",
                      key=("dump directory", self.directory))


NO_DUMP = DumpConfig()


def from_env() -> DumpConfig:
    """The DumpConfig that GFJIT_DUMP and GFJIT_DUMP_DIR ask for (none if unset; none, with one
    warning, if GFJIT_DUMP names an unknown kind)."""
    spec = os.environ.get("GFJIT_DUMP", "").strip()
    if not spec:
        return NO_DUMP
    kinds = frozenset(k.strip() for k in spec.split(",") if k.strip())
    try:
        return DumpConfig(kinds, Path(os.environ.get("GFJIT_DUMP_DIR", "gfjit-dump")))
    except ValueError as exc:
        warn_once(f"GFJIT_DUMP={spec!r} ignored: {exc}")
        return NO_DUMP
