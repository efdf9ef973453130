import os
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.fixture
def toy_path(monkeypatch):
    """Lets the stress child process import tests/stress/toy_workloads.py."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])))
