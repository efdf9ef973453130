"""The built-in workloads by name, and workloads of your own as `package.module:factory`.

Workload modules are imported only when chosen, so a run of one workload never imports the
layers the others need.
"""

from __future__ import annotations

import importlib

from stress.workload import Settings, Workload

BUILTIN = {
    "jit": "stress.workloads.jit_modules:make",
    "dispatch": "stress.workloads.dispatch_methods:make",
    "lisp": "stress.workloads.lisp_programs:make",
    "mixed": "stress.workloads.mixed:make",
}


class WorkloadNotFound(LookupError):
    """A workload name or `module:factory` spec that does not name a workload factory."""


def make(spec: str, settings: Settings) -> Workload:
    """The workload named `spec` (a built-in name or `module:factory`), made for `settings`."""
    target = BUILTIN.get(spec, spec)
    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr:
        raise WorkloadNotFound(f"unknown workload {spec!r}: use one of {', '.join(BUILTIN)} or module:factory")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise WorkloadNotFound(f"workload {spec!r}: cannot import {module_name}: {error}") from error
    factory = getattr(module, attr, None)
    if not callable(factory):
        raise WorkloadNotFound(f"workload {spec!r}: {module_name} has no callable {attr!r}")
    return factory(settings)
