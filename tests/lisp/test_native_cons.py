"""Native conses (lisp.runtime.native_cons) and the list functions built on them; Lisp results
checked against SBCL."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lisp.runtime import namespace, native_cons
from lisp.runtime.condition_classes import LispTypeError, ProgramError
from lisp.runtime.data import NIL, Cons, SourceCons, T, cl_symbol, make_list
from tests.lisp.lisp_eval import run, show

native_only = pytest.mark.skipif(not native_cons.native_enabled, reason="native conses disabled")

atoms = st.one_of(st.integers(), st.text(max_size=3), st.none(), st.floats(allow_nan=False))


def _circular(*items: object) -> Cons:
    head = make_list(items)
    cell = head
    while cell.cdr is not NIL:
        cell = cell.cdr
    cell.cdr = head
    return head


@native_only
def test_native_code_is_used_where_it_can_be_trusted():
    assert native_cons.native_enabled
    assert type(native_cons.cons).__name__ == "NativeListFunction"


def test_cons_makes_a_plain_cons_of_its_two_arguments():
    a, b = object(), object()
    cell = native_cons.cons(a, b)
    assert type(cell) is Cons and cell.car is a and cell.cdr is b


def test_make_cons_takes_the_cons_constructors_arguments():
    assert (native_cons.make_cons(1).car, native_cons.make_cons(1).cdr) == (1, NIL)
    assert native_cons.make_cons(1, 2).cdr == 2


@given(st.lists(atoms, max_size=30))
def test_list_of_equals_the_python_construction(items):
    assert native_cons.to_list(native_cons.list_of(*items)) == items
    assert native_cons.length(native_cons.list_of(*items)) == len(items)


@given(st.lists(atoms, max_size=30), atoms)
def test_list_star_ends_in_its_last_argument(items, tail):
    chain = native_cons.list_star(*items, tail)
    assert repr(chain) == repr(make_list(items, tail))


def test_a_native_list_holds_one_reference_per_element_and_drops_them():
    x = object()
    before = sys.getrefcount(x)
    chain = native_cons.list_of(x, x, x)
    assert sys.getrefcount(x) == before + 3
    del chain
    assert sys.getrefcount(x) == before


def test_a_bad_call_gets_pythons_own_error():
    with pytest.raises(TypeError):
        native_cons.cons(1)
    with pytest.raises(TypeError):
        native_cons.cons(1, 2, 3)
    with pytest.raises(TypeError):
        native_cons.list_of(car=1)


def test_a_wrong_argument_count_to_cons_is_a_program_error_naming_cons():
    report = run("(handler-case (funcall #'cons 1) (program-error (e) (princ-to-string e)))")
    assert report.startswith("invalid number of arguments to CONS:")


def test_the_cons_function_prints_as_a_lisp_function():
    assert show("#'cons") == "#<FUNCTION CONS>"


@pytest.mark.parametrize("walk", [native_cons.to_list, native_cons.length])
@pytest.mark.parametrize("bad", [5, "abc", make_list([1, 2], 3)])
def test_walking_a_non_list_or_dotted_list_is_a_type_error(walk, bad):
    with pytest.raises(LispTypeError):
        walk(bad)


@pytest.mark.timeout(20)
@pytest.mark.parametrize("walk", [native_cons.to_list, native_cons.length, native_cons.last_cons])
@pytest.mark.parametrize("size", [1, 2, 3, 7, 64])
def test_walking_a_circular_list_is_a_type_error_not_a_hang(walk, size):
    with pytest.raises(LispTypeError, match="circular"):
        walk(_circular(*range(size)))


@pytest.mark.timeout(20)
def test_length_of_a_circular_list_signals_in_lisp():
    text = "(let ((x (list 1 2 3))) (setf (cdr (last x)) x) (handler-case (length x) (type-error () :circular)))"
    assert show(text) == ":CIRCULAR"


def test_reader_conses_and_python_subclasses_are_walked_as_conses():
    class Tagged(Cons):
        __slots__ = ()

    assert native_cons.to_list(SourceCons(1, SourceCons(2, NIL, None), None)) == [1, 2]
    assert native_cons.to_list(Tagged(1, Tagged(2, NIL))) == [1, 2]
    assert show("(mapcar #'1+ '(1 2 3))") == "(2 3 4)"


def test_last_cons_of_a_dotted_list_is_its_last_cons():
    assert show("(last '(1 2 . 3))") == "(2 . 3)"
    assert show("(last nil)") == "NIL"


@pytest.mark.timeout(60)
def test_threads_making_lists_at_once_each_get_their_own():
    results: dict[int, list[list[int]]] = {}

    def work(k: int) -> None:
        results[k] = [native_cons.to_list(native_cons.list_of(*range(k, k + n))) for n in range(200)]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[k] == [list(range(k, k + n)) for n in range(200)] for k in range(4))


@pytest.mark.timeout(120)
def test_without_native_code_the_python_fallbacks_give_the_same_results():
    code = ("import warnings, lisp; from lisp.runtime import native_cons as n; "
            "print(n.native_enabled, lisp.prin1_to_string(lisp.eval_string("
            "\"(list (sort (list 3 1 2) #'<) (mapcar #'1+ '(1 2)) (length (list 1 2)) (last (list 1 2))"
            " (remove-if-not #'evenp '(1 2 3 4)) (let (r) (dolist (x '(1 2) r) (push x r))))\")))")
    env = {**os.environ, "GFJIT_NATIVE": "0"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=110)
    assert done.stdout.strip() == "False ((1 2 3) (2 3) 2 (2) (2 4) (2 1))"
    assert "native conses disabled (GFJIT_NATIVE is off)" in done.stderr


def test_map_items_calls_in_order_and_chains_the_results():
    seen = []
    chain = native_cons.map_items(lambda x: seen.append(x) or x * 2, make_list([1, 2, 3]))
    assert (seen, native_cons.to_list(chain)) == ([1, 2, 3], [2, 4, 6])


def test_keep_if_keeps_what_is_not_nil_and_keep_if_not_what_is():
    pred = lambda x: NIL if x % 2 else x  # noqa: E731 - 0 is true in Lisp
    assert native_cons.to_list(native_cons.keep_if(pred, make_list([0, 1, 2, 3]))) == [0, 2]
    assert native_cons.to_list(native_cons.keep_if_not(pred, make_list([0, 1, 2, 3]))) == [1, 3]


@pytest.mark.parametrize("mapper", [native_cons.map_items, native_cons.keep_if, native_cons.keep_if_not])
def test_an_error_in_the_function_leaves_every_reference_as_it_was(mapper):
    x = object()
    chain = make_list([x, x, 3, x])
    before = (sys.getrefcount(x), sys.getrefcount(chain), sys.getrefcount(chain.cdr.cdr))

    def fn(item: object) -> object:
        if item == 3:
            raise ValueError("boom")
        return item

    with pytest.raises(ValueError, match="boom"):
        mapper(fn, chain)
    assert (sys.getrefcount(x), sys.getrefcount(chain), sys.getrefcount(chain.cdr.cdr)) == before


@pytest.mark.parametrize("mapper", [native_cons.map_items, native_cons.keep_if, native_cons.keep_if_not])
@pytest.mark.parametrize("bad", [(1, 2), 5, "(1 2 . 3)", "circular"])
def test_mapping_over_a_non_list_a_dotted_or_a_circular_list_is_a_type_error(mapper, bad):
    lst = {"(1 2 . 3)": make_list([1, 2], 3), "circular": _circular(1, 2, 3)}.get(bad, bad)
    with pytest.raises(LispTypeError):
        mapper(lambda x: x, lst)


def _changing(change):
    """A list of 1 2 3 and a function that makes ``change`` to it when it sees 1."""
    chain = make_list([1, 2, 3])
    return chain, lambda x: (change(chain) if x == 1 else None) or x


@native_only  # the Python fallbacks map a snapshot of the list
@pytest.mark.parametrize(("change", "visited"), [
    (lambda c: setattr(c, "cdr", NIL), [1]),
    (lambda c: setattr(c.cdr, "cdr", 7), [1, 2]),
    (lambda c: delattr(c.cdr, "car"), [1]),
    (lambda c: delattr(c, "cdr"), [1]),
    (lambda c: setattr(c.cdr.cdr, "cdr", make_list([4, 5])), [1, 2, 3]),
    (lambda c: setattr(c.cdr.cdr, "cdr", c), [1, 2, 3]),
    (lambda c: setattr(c, "cdr", make_list([9])), [1, 9]),
])
def test_a_function_changing_the_list_ends_the_mapping_early_at_worst(change, visited):
    chain, fn = _changing(change)
    assert native_cons.to_list(native_cons.map_items(fn, chain)) == visited


def test_replace_cars_stores_the_items_in_turn_and_keeps_references_balanced():
    x = object()
    before = sys.getrefcount(x)
    chain = native_cons.list_of(x, x, 3)
    assert native_cons.replace_cars(chain, [1, 2]) is chain
    assert native_cons.to_list(chain) == [1, 2, 3] and sys.getrefcount(x) == before


def test_replace_cars_with_too_few_conses_is_an_error():
    with pytest.raises(ValueError):
        native_cons.replace_cars(native_cons.list_of(1), [1, 2])


@pytest.mark.parametrize("slot", ["car", "cdr"])
def test_a_slot_emptied_from_python_is_an_error_not_a_crash(slot):
    chain = native_cons.list_of(1, 2, 3)
    delattr(chain.cdr, slot)
    with pytest.raises(AttributeError):
        native_cons.to_list(chain)


def test_nreverse_of_a_list_reverses_its_elements_in_its_conses():
    assert show("(let ((x (list 1 2 3))) (list (eq (nreverse x) x) x))") == "(T (3 2 1))"


# -- the library's fast paths -----------------------------------------------------------------------


def test_remove_if_not_keeps_everything_but_nil():
    assert show("(remove-if-not #'identity (list 0 nil \"\" 1))") == '(0 "" 1)'


def test_remove_if_drops_everything_but_nil():
    assert show("(remove-if #'identity (list 0 nil \"\" 1))") == "(NIL)"


@pytest.mark.parametrize(("text", "expected"), [
    ("(remove-if-not #'identity (vector 0 nil \"\" 1))", '#(0 "" 1)'),
    ("(remove-if #'identity (vector 0 nil 1))", "#(NIL)"),
    ("(remove-if-not #'evenp (list 1 2 3 4) :key #'1+)", "(1 3)"),
    ("(remove-if #'evenp \"abc\" :key #'char-code)", '"ac"'),
])
def test_remove_with_keys_or_on_vectors_uses_lisp_truth_too(text, expected):
    assert show(text) == expected


def test_an_error_in_the_mapped_function_propagates():
    assert show("(handler-case (mapcar (lambda (x) (error \"no ~a\" x)) '(1 2)) (error (e) (princ-to-string e)))") \
        == '"no 1"'


def test_mapc_calls_in_order_and_returns_its_list():
    assert show("(let ((seen nil) (l (list 1 2 3))) (list (eq (mapc (lambda (x) (push x seen)) l) l) seen))") \
        == "(T (3 2 1))"


def test_mapcar_of_a_dotted_list_is_a_type_error():
    with pytest.raises(LispTypeError):
        run("(mapcar #'1+ '(1 2 . 3))")


def test_sort_of_a_list_puts_the_elements_back_into_its_conses():
    assert show("(let ((x (list 3 1 2))) (list (eq (sort x #'<) x) x))") == "(T (1 2 3))"


def test_sort_by_greater_than_descends():
    assert show("(sort (list 1 3 2) #'>)") == "(3 2 1)"


def test_sort_compares_rationals_and_floats_exactly():
    assert show("(sort (list 1/2 0.25 1/3 0.5 2) #'<)") == "(0.25 1/3 1/2 0.5 2)"


def test_stable_sort_keeps_equal_elements_in_order():
    text = "(stable-sort (list (cons 1 :a) (cons 0 :b) (cons 1 :c) (cons 0 :d)) #'< :key #'car)"
    assert show(text) == "((0 . :B) (0 . :D) (1 . :A) (1 . :C))"


def test_sort_of_a_non_real_by_less_than_is_a_type_error():
    with pytest.raises(LispTypeError):
        run("(sort (list 1 'a 2) #'<)")


def test_sort_of_vectors_and_strings_is_unchanged():
    assert show("(sort (vector 3 1 2) #'>)") == "#(3 2 1)"
    assert show("(sort (copy-seq \"hello\") #'char<)") == '"ehllo"'


# -- loop rotation ----------------------------------------------------------------------------------


def test_a_simple_collecting_loop_needs_no_state_machine():
    from lisp.compiler.loop import LOOP_LIST, LOOP_RANGE, LOOP_WHILE
    from lisp.compiler.macros import macroexpand_1
    from lisp.syntax.reader import read_from_string

    expansion = macroexpand_1(read_from_string("(loop for i below n collect i)"))[0]
    assert {LOOP_WHILE, LOOP_RANGE, LOOP_LIST} & _symbols(expansion)


def _symbols(form: object) -> set[object]:
    found: set[object] = set()
    while isinstance(form, Cons):
        found |= _symbols(form.car) if isinstance(form.car, Cons) else {form.car}
        form = form.cdr
    return found


@pytest.mark.parametrize(("text", "expected"), [
    ("(loop for x in (list 1 2 3) do (funcall (lambda () (when (= x 2) (loop-finish)))) collect x)", "(1)"),
    ("(loop for i below 3 finally (return i))", "3"),
    ("(loop for x in (list 1 2 3 4 5) by #'cddr collect x)", "(1 3 5)"),
    ("(loop repeat 3 for i from 10 collect i)", "(10 11 12)"),
    ("(loop for i from 1 to 3 and j = 10 then (+ j i) collect (list i j))", "((1 10) (2 11) (3 13))"),
    ("(loop for i below 10 while (< i 3) collect i)", "(0 1 2)"),
    ("(loop for x in '(1 2 3) collect x into xs finally (return (reverse xs)))", "(3 2 1)"),
    ("(loop for i below 0 collect i)", "NIL"),
    ("(loop for x in (list 1 2 3) collect x append (list x x))", "(1 1 1 2 2 2 3 3 3)"),
    ("(loop for x in (list 1 2) nconc (list x) collect x)", "(1 1 2 2)"),
    ("(loop for x in (list 1 2 3) when (oddp x) collect x else collect (- x))", "(1 -2 3)"),
])
def test_rotated_loops_agree_with_sbcl(text, expected):
    assert show(text) == expected


def test_a_loop_variable_misused_is_still_a_program_error():
    with pytest.raises(ProgramError):
        run("(loop for i below 3 collect)")


# -- EVENP and ODDP --------------------------------------------------------------------------------

@given(st.integers() | st.integers(min_value=-2 ** 63 - 2, max_value=-2 ** 63 + 2)
       | st.integers(min_value=2 ** 63 - 2, max_value=2 ** 63 + 2))
def test_evenp_and_oddp_agree_with_python_parity_for_every_integer(x):
    assert (native_cons.evenp(x), native_cons.oddp(x)) == ((T, NIL) if x % 2 == 0 else (NIL, T))


@pytest.mark.parametrize("bad", ["1.0", "3/2", "nil", "t", "#\\a"])
@pytest.mark.parametrize("predicate", ["evenp", "oddp"])
def test_parity_of_a_non_integer_is_a_type_error(predicate, bad):
    with pytest.raises(LispTypeError) as info:
        run(f"(funcall #'{predicate} {bad})")
    assert info.value.report().endswith("is not of type INTEGER")


def test_a_python_bool_is_not_a_lisp_integer_to_evenp():
    with pytest.raises(LispTypeError):
        native_cons.evenp(True)


@pytest.mark.parametrize("args", ["", " 1 2"])
def test_a_wrong_argument_count_to_evenp_is_a_program_error_naming_it(args):
    with pytest.raises(ProgramError, match="EVENP"):
        run(f"(funcall #'evenp{args})")


def test_remove_if_not_evenp_keeps_the_even_integers_bignums_too():
    assert show("(remove-if-not #'evenp (list 1 2 -4 (expt 2 80) (1+ (expt 2 80))))") == \
        "(2 -4 1208925819614629174706176)"


def _direct_form(lisp_name: str) -> object:
    return namespace.GLOBALS[native_cons.DIRECT_CALLS[cl_symbol(lisp_name)]]


@native_only
def test_the_direct_form_of_cons_runs_the_same_code_as_a_builtin_function():
    front = _direct_form("CONS")
    a, b = object(), object()
    assert type(front).__name__ == "builtin_function_or_method" and front.__self__ is native_cons.cons
    cell = front(a, b)
    assert type(cell) is Cons and cell.car is a and cell.cdr is b
    assert front(a, cdr=b).cdr is b  # a keyword call goes to the fallback, as for the callable
    with pytest.raises(TypeError, match="missing 1 required positional argument"):
        front(a)


def test_the_lisp_functions_among_the_primitives_are_the_primitives():
    assert [namespace.get_function(cl_symbol(name)) for name in ("CONS", "LIST", "LIST*", "EVENP", "ODDP")] == [
        native_cons.cons, native_cons.list_of, native_cons.list_star, native_cons.evenp, native_cons.oddp]


def test_compiled_calls_of_cons_list_and_list_star_go_to_their_direct_forms():
    assert {name: native_cons.DIRECT_CALLS[cl_symbol(name)] for name in ("CONS", "LIST", "LIST*")} == {
        "CONS": "%cons", "LIST": "%list_of", "LIST*": "%list_star"}


@pytest.mark.timeout(120)
def test_without_native_code_the_direct_forms_are_the_python_functions():
    code = ("from lisp.runtime import namespace, native_cons as n; "
            "print([namespace.GLOBALS[k] is getattr(n, f) for k, f in "
            "(('%cons', 'cons'), ('%Cons', 'make_cons'), ('%list_iter', 'list_iter'))])")
    env = {**os.environ, "GFJIT_NATIVE": "0"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=110)
    assert done.stdout.strip() == "[True, True, True]"


@pytest.mark.parametrize(("text", "expected"), [
    ("(let ((acc nil)) (dotimes (i 3) (push i acc)) acc)", "(2 1 0)"),
    ("(list (cons 1 2) (list) (list 1 2) (list* 1 2 '(3)) (list* 4))", "((1 . 2) NIL (1 2) (1 2 3) 4)"),
    ("(let ((n 0)) (dolist (x '(1 2 3) n) (incf n x)))", "6"),
    ("(loop for x in '(1 2) collect x into l collect (* 10 x) finally (return l))", "(1 2)"),
])
def test_compiled_calls_of_the_list_constructors_and_iterators_agree_with_sbcl(text, expected):
    assert show(text) == expected


def test_a_compiled_call_of_cons_with_one_argument_is_a_program_error_naming_cons():
    with pytest.raises(ProgramError, match="invalid number of arguments to CONS"):
        run("(defun nc-bad-cons (x) (cons x)) (nc-bad-cons 1)")
