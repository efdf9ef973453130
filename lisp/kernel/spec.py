"""The kernelspec that tells Jupyter how to start the gfjit kernel, and its installation
(``gfjit kernel install [--user] [--prefix DIR]``)."""

from __future__ import annotations

import json
import os
import site
import sys
import tempfile
from pathlib import Path
from typing import Any

#: The kernel's name in Jupyter (``jupyter console --kernel gfjit``).
KERNEL_NAME = "gfjit"


def kernelspec() -> dict[str, Any]:
    """The ``kernel.json`` of the kernel: this Python running ``gfjit kernel run``."""
    spec: dict[str, Any] = {
        "argv": [sys.executable, "-m", "lisp", "kernel", "run", "-f", "{connection_file}"],
        "display_name": "gfjit (Common Lisp)",
        "language": "common-lisp",
        "interrupt_mode": "signal",
        "metadata": {"debugger": False},
    }
    root = _project_root()
    if root is not None:
        spec["env"] = {"PYTHONPATH": root}
    return spec


def _project_root() -> str | None:
    """The directory gfjit is imported from when it is not installed (a checkout on PYTHONPATH),
    which the kernel's Python then needs on its path too; None for an installed gfjit."""
    root = Path(__file__).resolve().parents[2]
    installed = {Path(p).resolve() for p in (*site.getsitepackages(), site.getusersitepackages())}
    return None if root in installed else str(root)


def install(user: bool, prefix: str | None) -> str:
    """Install the kernelspec for this user (``user``), under ``prefix``, or for the whole system;
    the directory it went to."""
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as source:
        with open(os.path.join(source, "kernel.json"), "w", encoding="utf-8") as out:
            json.dump(kernelspec(), out, indent=1)
        return KernelSpecManager().install_kernel_spec(source, KERNEL_NAME, user=user, prefix=prefix)
