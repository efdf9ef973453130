"""A ``gfjit swank`` server for a module's tests (it takes a few seconds to start), and a fresh
connection to it for each test."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest
from swank_client import SwankClient, start_server, stop_server


@pytest.fixture(scope="module")
def swank_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[subprocess.Popen[str], int]]:
    # A home of its own: no ~/.slime-secret of the machine's applies.
    home = tmp_path_factory.mktemp("home")
    process, port = start_server(env={**os.environ, "HOME": str(home)})
    try:
        yield process, port
    finally:
        stop_server(process)


@pytest.fixture
def swank(swank_server: tuple[subprocess.Popen[str], int]) -> Iterator[SwankClient]:
    with SwankClient(swank_server[1]) as client:
        yield client
