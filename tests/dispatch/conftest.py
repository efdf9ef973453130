"""Every semantic test runs twice: with native dispatchers (compiled after the first calls) and
with native mode off. ``call`` makes the native run go through compiled code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import dispatch


@pytest.fixture(params=[True, False], ids=["native", "python"])
def native(request: pytest.FixtureRequest) -> bool:
    return request.param


@pytest.fixture
def make(native: bool) -> Callable[..., Any]:
    """``make(fn, **options)``: ``@generic`` with the parametrized mode."""
    def make_gf(fn: Callable[..., Any] | None = None, **options: Any) -> Any:
        gf = dispatch.generic(fn, native=native, **options) if fn else \
            dispatch.generic(native=native, **options)
        if fn:
            assert gf.native is native
        return gf
    return make_gf


@pytest.fixture
def call() -> Callable[..., Any]:
    """``call(gf, *args)``: call twice, compiling in between, and check both calls agree; the
    second one runs the native dispatcher in native mode."""
    def call_gf(gf: Any, *args: Any, **kwargs: Any) -> Any:
        first = _outcome(gf, args, kwargs)
        gf.compile()
        second = _outcome(gf, args, kwargs)
        assert first == second
        if isinstance(second, _Raised):
            raise second.error
        return second
    return call_gf


def _outcome(gf: Any, args: tuple, kwargs: dict) -> Any:
    try:
        return gf(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - compared by type and message
        return _Raised(e)


class _Raised(Exception):
    def __init__(self, e: Exception) -> None:
        super().__init__(type(e), str(e))
        self.error = e

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Raised) and self.args == other.args

    def __hash__(self) -> int:
        return hash(self.args)
