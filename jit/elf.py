"""Symbols of an ELF64 relocatable object, read from its symbol table.

llvmlite's object-file API lists sections, not symbols; we need the symbols to check exports and
undefined references before linking and to give perf the size of every function.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .errors import JitError

_SHT_SYMTAB = 2
_SHN_UNDEF = 0
_STB_GLOBAL, _STB_WEAK = 1, 2
_STT_FUNC = 2


class ObjectFormatError(JitError, ValueError):
    """The bytes are not a well-formed little-endian ELF64 object."""


@dataclass(frozen=True)
class ObjectSymbols:
    """Global symbols of one object: defined ones with their sizes, and undefined references."""

    defined: dict[str, int]         # name -> size in bytes (0 when unknown)
    functions: frozenset[str]       # the defined names that are functions
    undefined: frozenset[str]


def read_symbols(data: bytes) -> ObjectSymbols:
    """Read the global symbols of the ELF64 little-endian object `data`."""
    if len(data) < 64 or data[:4] != b"\x7fELF":
        raise ObjectFormatError("not an ELF object")
    if data[4] != 2 or data[5] != 1:
        raise ObjectFormatError("only little-endian ELF64 objects are supported")
    try:
        return _read(data)
    except (struct.error, IndexError) as exc:
        raise ObjectFormatError(f"truncated or malformed ELF object: {exc}") from None


def _read(data: bytes) -> ObjectSymbols:
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
                for i in range(shnum)]
    defined: dict[str, int] = {}
    functions: set[str] = set()
    undefined: set[str] = set()
    for _name, kind, _f, _a, offset, size, link, _i, _al, entsize in sections:
        if kind != _SHT_SYMTAB:
            continue
        str_offset, str_size = sections[link][4], sections[link][5]
        strings = data[str_offset:str_offset + str_size]
        for pos in range(offset, offset + size, entsize):
            st_name, st_info, _other, st_shndx, _value, st_size = \
                struct.unpack_from("<IBBHQQ", data, pos)
            if st_info >> 4 not in (_STB_GLOBAL, _STB_WEAK) or st_name == 0:
                continue
            end = strings.index(b"\0", st_name)
            name = strings[st_name:end].decode("utf-8", errors="replace")
            if st_shndx == _SHN_UNDEF:
                undefined.add(name)
            else:
                defined[name] = st_size
                if st_info & 0xF == _STT_FUNC:
                    functions.add(name)
    return ObjectSymbols(defined, frozenset(functions), frozenset(undefined))
