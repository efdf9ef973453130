"""``require``, ``provide`` and ``*modules*``, with a module search path.

``(provide name)`` adds the module's name (a string designator; names compare with ``string=``)
to ``*modules*``. ``(require name &optional pathnames)`` does nothing if the module is there;
otherwise it loads ``pathnames`` (a pathname designator or a list of them) if given, or else the
first file that ``gfjit-ext:*module-search-path*`` leads to. Each element of that list is tried in
turn: a function designator is called with the module's name and has provided the module if it
returns true (as SBCL's ``*module-provider-functions*``); a directory (a string) is searched for
``NAME.lisp`` and ``NAME/NAME.lisp``, the name in lower case. A module loaded from the path is
marked provided even if its file does not call ``provide``, so that it is not loaded twice. No
way to load it is a SIMPLE-ERROR.

The path starts as the directories of the environment variable ``GFJIT_MODULE_PATH`` (separated
by ``:``), then Debian's: ``/usr/share/common-lisp/source/cl-asdf/build/``, where the ``cl-asdf``
package puts ``asdf.lisp`` (so ``(require :asdf)`` loads it), and ``/usr/share/common-lisp/source/``.
"""

from __future__ import annotations

import os
from typing import Any

from lisp.compiler.loading import load
from lisp.library.arguments import function_designator, string_designator
from lisp.library.pathnames import native_namestring
from lisp.runtime.condition_classes import SimpleError
from lisp.runtime.data import NIL, Cons, T, cl_symbol, iter_list, make_list
from lisp.runtime.extensions import extension_symbol
from lisp.runtime.namespace import (
    builtin,
    global_value_is_set,
    proclaim_special,
    set_symbol_value,
    symbol_value,
)
from lisp.runtime.signals import raise_error

MODULES = cl_symbol("*MODULES*")
MODULE_SEARCH_PATH = extension_symbol("*MODULE-SEARCH-PATH*")
DEBIAN_PATH = ("/usr/share/common-lisp/source/cl-asdf/build/", "/usr/share/common-lisp/source/")



def default_search_path() -> list[str]:
    """``$GFJIT_MODULE_PATH``'s directories, then Debian's."""
    return [d for d in os.environ.get("GFJIT_MODULE_PATH", "").split(":") if d] + list(DEBIAN_PATH)


proclaim_special(MODULES)
proclaim_special(MODULE_SEARCH_PATH)
if not global_value_is_set(MODULES):
    set_symbol_value(MODULES, NIL)
if not global_value_is_set(MODULE_SEARCH_PATH):
    set_symbol_value(MODULE_SEARCH_PATH, make_list(default_search_path()))


def _provided(name: str) -> bool:
    return any(isinstance(m, str) and m == name for m in iter_list(symbol_value(MODULES)))


@builtin("PROVIDE")
def provide(module: Any) -> Any:
    """Add the module's name to ``*modules*``; T."""
    name = string_designator(module)
    if not _provided(name):
        set_symbol_value(MODULES, Cons(name, symbol_value(MODULES)))
    return T


def module_file(name: str, directory: str) -> str | None:
    """The file of the module ``name`` in ``directory``, if there is one."""
    stem = name.lower()
    for candidate in (os.path.join(directory, f"{stem}.lisp"), os.path.join(directory, stem, f"{stem}.lisp")):
        if os.path.isfile(candidate):
            return candidate
    return None


@builtin("REQUIRE")
def require(module: Any, pathnames: Any = NIL) -> Any:
    """Load the module unless it is provided (see the module docstring); T if it loaded something."""
    name = string_designator(module)
    if _provided(name):
        return NIL
    if pathnames is not NIL:
        for path in iter_list(pathnames) if isinstance(pathnames, Cons) else [pathnames]:
            load(native_namestring(path, "REQUIRE"))
        return T
    for entry in iter_list(symbol_value(MODULE_SEARCH_PATH)):
        if isinstance(entry, str):
            found = module_file(name, entry)
            if found is not None:
                load(found)
                provide(name)
                return T
        elif function_designator(entry)(name) is not NIL:
            return T
    where = ", ".join(e for e in iter_list(symbol_value(MODULE_SEARCH_PATH)) if isinstance(e, str))
    return raise_error(SimpleError(f"Don't know how to REQUIRE {name}: no {name.lower()}.lisp in "
                                   f"GFJIT-EXT:*MODULE-SEARCH-PATH* ({where}), and no function there provides it."))
