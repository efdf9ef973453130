"""The built-in workloads by name, and workloads of your own as `package.module:factory`.

Workload modules are imported only when chosen, so a run of one workload never imports the
layers the others need.
"""

from __future__ import annotations

import importlib
import importlib.util

from stress.workload import Settings, Workload

BUILTIN = {
    "jit": "stress.workloads.jit_modules:make",
    "dispatch": "stress.workloads.dispatch_methods:make",
    "lisp": "stress.workloads.lisp_programs:make",
    "mixed": "stress.workloads.mixed:make",
    "fork": "stress.workloads.fork_children:make",
}


class WorkloadNotFound(LookupError):
    """A workload name or `module:factory` spec that does not name a workload factory."""


def _target(spec: str) -> tuple[str, str]:
    """The module and factory names `spec` stands for."""
    module_name, sep, attr = BUILTIN.get(spec, spec).partition(":")
    if not sep or not module_name or not attr:
        raise WorkloadNotFound(f"unknown workload {spec!r}: use one of {', '.join(BUILTIN)} or module:factory")
    return module_name, attr


def check(spec: str) -> None:
    """Raise `WorkloadNotFound` unless `spec` is a built-in name or names a module that exists.

    The module is located, not imported (the child process imports it), so a check costs no
    layer imports; a factory missing from an existing module is still found only by `make`."""
    module_name, _ = _target(spec)
    try:
        found = importlib.util.find_spec(module_name)
    except (ImportError, ValueError) as error:
        raise WorkloadNotFound(f"workload {spec!r}: cannot import {module_name}: {error}") from error
    if found is None:
        raise WorkloadNotFound(f"workload {spec!r}: no module named {module_name!r}")


def make(spec: str, settings: Settings) -> Workload:
    """The workload named `spec` (a built-in name or `module:factory`), made for `settings`."""
    module_name, attr = _target(spec)
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise WorkloadNotFound(f"workload {spec!r}: cannot import {module_name}: {error}") from error
    factory = getattr(module, attr, None)
    if not callable(factory):
        raise WorkloadNotFound(f"workload {spec!r}: {module_name} has no callable {attr!r}")
    return factory(settings)
