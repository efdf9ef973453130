"""A generic function is pickled and copied by reference, as a function is (issue 19 item 3)."""

import copy
import multiprocessing
import pickle

import pytest

from dispatch import generic, make_generic


@generic
def describe_value(x):
    """Module level, so that pickle finds it by name."""


@describe_value.method
def _(x: int):
    return f"int {x}"


@describe_value.method
def _(x: str):
    return f"str {x}"


@generic(native=False)
def python_path_value(x): ...


@python_path_value.method
def _(x: int):
    return x + 1


@pytest.mark.parametrize("gf", [describe_value, python_path_value], ids=["native", "python path"])
def test_pickle_round_trip_gives_the_same_generic_function(gf):
    assert pickle.loads(pickle.dumps(gf)) is gf


@pytest.mark.parametrize("gf", [describe_value, python_path_value], ids=["native", "python path"])
def test_copy_and_deepcopy_give_the_generic_function_itself(gf):
    assert copy.copy(gf) is gf and copy.deepcopy(gf) is gf


def test_a_generic_function_in_a_deep_copied_structure_stays_shared():
    data = {"f": describe_value, "items": [1, 2]}
    copied = copy.deepcopy(data)
    assert copied["f"] is describe_value and copied["items"] is not data["items"]


def test_a_generic_function_pickle_cannot_find_by_name_is_a_pickling_error_naming_it():
    lost = make_generic("nowhere_to_be_found", ("x",))
    with pytest.raises(pickle.PicklingError, match="nowhere_to_be_found"):
        pickle.dumps(lost)


@pytest.mark.timeout(120)
def test_multiprocessing_pool_map_calls_it_in_worker_processes():
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        assert pool.map(describe_value, [1, "a"]) == ["int 1", "str a"]
