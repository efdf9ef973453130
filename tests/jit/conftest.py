import os

import pytest

import jit
from jit import perfmap


@pytest.fixture
def pool():
    p = jit.JitPool(shards=2)
    yield p
    p.close()


@pytest.fixture(autouse=True, scope="session")
def _private_user_directories(tmp_path_factory):
    """The per-user cache key and default cache live in this session's own directories, not in
    the home of whoever runs the tests (child processes inherit them); the perf map goes at the
    end."""
    saved = {name: os.environ.get(name) for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME")}
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config"))
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if os.path.isfile(perfmap.path()):  # the perf map the tests of this process wrote
        os.unlink(perfmap.path())
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
