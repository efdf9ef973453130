"""What a connection asks about the Lisp and its session: ``connection-info``, the contribs it
may load (``swank-require``), packages, the directory, and leaving (``quit-lisp``)."""

from __future__ import annotations

import os
import platform
import sys
from typing import Any

from jit import __version__
from lisp.runtime.data import Symbol, cl_symbol, iter_list, list_all_packages
from lisp.runtime.namespace import symbol_value
from lisp.swank.names import find_named_package, prompt_name
from lisp.swank.rpc import Request, RpcError, rpc
from lisp.swank.wire import keyword

#: The SLIME version whose protocol this server speaks (SLIME asks before going on with another).
PROTOCOL_VERSION = "2.27"

#: The contribs whose requests this server answers: what ``swank-require`` says is loaded.
MODULES = ("SWANK-REPL", "SWANK-ARGLISTS", "SWANK-C-P-C", "SWANK-FUZZY", "SWANK-UTIL")

_FEATURES = cl_symbol("*FEATURES*")


def _plist(*pairs: tuple[str, Any]) -> list[Any]:
    return [item for name, value in pairs for item in (keyword(name), value)]


@rpc("swank:connection-info")
def connection_info(request: Request) -> list[Any]:
    package = request.package
    features = symbol_value(_FEATURES)
    return _plist(
        ("pid", os.getpid()),
        ("style", keyword("spawn")),
        ("encoding", _plist(("coding-systems", ["utf-8-unix"]))),
        ("lisp-implementation", _plist(("type", "gfjit"), ("name", "gfjit"),
                                       ("version", f"{__version__} on Python {platform.python_version()}"),
                                       ("program", sys.executable))),
        ("machine", _plist(("instance", platform.node()), ("type", platform.machine()),
                           ("version", platform.platform()))),
        ("features", [keyword(f.name.lower()) for f in iter_list(features) if isinstance(f, Symbol)]),
        ("modules", list(MODULES)),
        ("package", _plist(("name", package.name), ("prompt", prompt_name(package)))),
        ("version", PROTOCOL_VERSION),
    )


@rpc("swank:swank-require")
def swank_require(_request: Request, _modules: Any, _filename: Any = None) -> list[str]:
    # The contribs' requests are answered by this server's own code: nothing is loaded, and the
    # answer says which of them are served (SLIME asks again for the others later, harmlessly).
    return list(MODULES)


@rpc("swank:list-all-package-names")
def list_all_package_names(_request: Request, nicknames: Any = None) -> list[str]:
    names = []
    for package in list_all_packages():
        names.append(package.name)
        if nicknames:
            names.extend(n for n in package.nicknames if n)
    return names


@rpc("swank:set-package")
def set_package(_request: Request, name: str) -> list[str]:
    package = find_named_package(name)
    if package is None:
        raise RpcError(f"there is no package named {name}")
    return [package.name, prompt_name(package)]


@rpc("swank:default-directory")
def default_directory(_request: Request) -> str:
    return os.getcwd() + os.sep


@rpc("swank:set-default-directory")
def set_default_directory(request: Request, directory: str) -> str:
    os.chdir(os.path.expanduser(directory))
    return default_directory(request)


@rpc("swank:ping")
def ping(_request: Request, tag: Any) -> Any:
    return tag


@rpc("swank:quit-lisp")
def quit_lisp(request: Request) -> None:
    request.agent.connection.exit_lisp(0)


@rpc("swank:buffer-first-change", "swank:init-presentations", "swank:update-indentation-information",
     "swank:fuzzy-completion-selected", "swank:clear-repl-results")
def nothing_to_do(_request: Request, *_arguments: Any) -> None:
    """Requests SLIME makes in passing whose effect this server does not need (presentations,
    indentation hints, completion statistics)."""
    return None
