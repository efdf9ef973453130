"""GFJIT-EXTENSIONS: the package of gfjit's extensions to Common Lisp that programs call by name.

Nicknamed GFJIT-EXT, and SB-EXT, so that what scripts written for SBCL call (``sb-ext:exit``,
``sb-ext:quit``, ``sb-ext:*posix-argv*``, ``sb-ext:*invoke-debugger-hook*``, the package locks'
``sb-ext:unlock-package`` and ``sb-ext:without-package-locks``...) works unchanged. It is locked,
as SB-EXT is.
COMMON-LISP-USER uses it, as SBCL's uses SB-EXT: ``(quit)`` and ``(exit :code 2)`` work there.
``*POSIX-ARGV*`` is GFJIT-SYSTEM's symbol (``sys:*posix-argv*``), exported from both packages.
"""

from __future__ import annotations

import sys

from lisp.runtime import namespace
from lisp.runtime.data import (
    COMMON_LISP,
    COMMON_LISP_USER,
    SYSTEM,
    Symbol,
    find_package,
    make_list,
    make_package,
)

EXTENSIONS = find_package("GFJIT-EXTENSIONS") or make_package("GFJIT-EXTENSIONS", ["GFJIT-EXT", "SB-EXT"],
                                                              use=[COMMON_LISP])
EXTENSIONS.locked = True  # as SB-EXT is in SBCL (lisp.runtime.package_locks)
if EXTENSIONS not in COMMON_LISP_USER.use_list:
    COMMON_LISP_USER.use_list.append(EXTENSIONS)


def extension_symbol(name: str) -> Symbol:
    """The external symbol ``name`` of GFJIT-EXTENSIONS, made if new."""
    sym = EXTENSIONS.intern(name)
    EXTENSIONS.export(sym)
    return sym


POSIX_ARGV = SYSTEM.intern("*POSIX-ARGV*")
SYSTEM.export(POSIX_ARGV)
EXTENSIONS.import_symbol(POSIX_ARGV)
EXTENSIONS.export(POSIX_ARGV)
namespace.proclaim_special(POSIX_ARGV)
if not namespace.global_value_is_set(POSIX_ARGV):
    # A program that embeds the Lisp: its own command line. The gfjit command sets its own.
    namespace.set_symbol_value(POSIX_ARGV, make_list(sys.argv))
