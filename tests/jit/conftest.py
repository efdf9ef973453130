import pytest

import jit


@pytest.fixture
def pool():
    p = jit.JitPool(shards=2)
    yield p
    p.close()
