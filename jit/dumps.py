"""Per-module dumps for people: the IR as given (`ir`), the IR the code generator sees (`opt`) and
the assembly (`asm`).

Asked for with `GFJIT_DUMP=ir,opt,asm` (directory `GFJIT_DUMP_DIR`, default `gfjit-dump` in the
working directory) or with a DumpConfig passed to `jit.compile` / `jit.JitPool`.
"""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import dataclass
from pathlib import Path

KINDS = {"ir": ".ll", "opt": ".opt.ll", "asm": ".s"}
_counter = itertools.count()  # next() on a count is atomic under the GIL


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
        return kind in self.kinds

    def write(self, module: str, kind: str, text: str) -> Path:
        """Write one dump; files are numbered so that modules of the same name never collide."""
        self.directory.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", module)[:100]
        path = self.directory / f"{os.getpid()}-{next(_counter):06d}-{safe}{KINDS[kind]}"
        path.write_text(text)
        return path


NO_DUMP = DumpConfig()


def from_env() -> DumpConfig:
    """The DumpConfig that GFJIT_DUMP and GFJIT_DUMP_DIR ask for (none if unset)."""
    spec = os.environ.get("GFJIT_DUMP", "").strip()
    if not spec:
        return NO_DUMP
    kinds = frozenset(k.strip() for k in spec.split(",") if k.strip())
    try:
        return DumpConfig(kinds, Path(os.environ.get("GFJIT_DUMP_DIR", "gfjit-dump")))
    except ValueError as exc:
        raise ValueError(f"GFJIT_DUMP={spec!r}: {exc}") from None
