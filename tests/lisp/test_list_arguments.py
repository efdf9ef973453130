"""Improper lists given to the list and sequence functions: a circular or dotted list where the
standard wants a proper list is a TYPE-ERROR naming the function, never a hang.

SBCL signals a TYPE-ERROR for most of the dotted cases and loops for ever on most of the circular
ones (the standard leaves both undefined); here both are errors, found by the one native walk every
function makes of such a list (lisp.library.lists.list_items). The results of the functions that
take a dotted list were checked against SBCL.
"""

from __future__ import annotations

import pytest
from lisp_results import raised, results

import lisp.evaluator  # noqa: F401 - boots the Lisp
from lisp.runtime.condition_classes import LispTypeError
from lisp.runtime.data import make_list
from lisp.runtime.host_errors import as_condition
from lisp.runtime.native_cons import named, native_enabled, to_list

# Each list as a Lisp expression: the circular one is made at run time.
_CIRCULAR = "(let ((c (list {}))) (setf (cdr (last c)) c) c)"
LISTS = {
    "circular": _CIRCULAR.format("1 2 3"),
    "dotted": "(list* 1 2 3)",
}
ALISTS = {
    "circular": _CIRCULAR.format("(cons 'a 1) (cons 'b 2)"),
    "dotted": "(list* (cons 'a 1) (cons 'b 2) 3)",
}
PLISTS = {
    "circular": _CIRCULAR.format(":a 1 :b 2"),
    "dotted": "(list* :a 1 :b 2 3)",
}

# (the function named in the error, a form applying it to the list L)
PROPER_LIST_CALLS = [
    ("APPEND", "(append l '(9))"),
    ("REVAPPEND", "(revappend l nil)"),
    ("NRECONC", "(nreconc l nil)"),
    ("MAPCAR", "(mapcar #'identity l)"),
    ("MAPCAR", "(mapcar #'+ '(1 2 3 4 5 6 7) l)"),
    ("MAPC", "(mapc #'identity l)"),
    ("MAPCAN", "(mapcan #'list l)"),
    ("MAPLIST", "(maplist #'identity l)"),
    ("MAPL", "(mapl #'identity '(1 2 3 4 5 6 7) l)"),
    ("MAPCON", "(mapcon #'copy-list l)"),
    ("MEMBER", "(member 99 l)"),
    ("MEMBER", "(member 1 l)"),
    ("MEMBER-IF", "(member-if #'null l)"),
    ("MEMBER-IF-NOT", "(member-if-not #'numberp l :key #'identity)"),
    ("PAIRLIS", "(pairlis l '(1 2 3))"),
    ("PAIRLIS", "(pairlis '(1 2 3) l)"),
    ("ADJOIN", "(adjoin 99 l)"),
    ("UNION", "(union '(9) l)"),
    ("NUNION", "(nunion l (list 9))"),
    ("INTERSECTION", "(intersection l '(9))"),
    ("NINTERSECTION", "(nintersection (list 9) l)"),
    ("SET-DIFFERENCE", "(set-difference l '(9))"),
    ("NSET-DIFFERENCE", "(nset-difference (list 9) l)"),
    ("SET-EXCLUSIVE-OR", "(set-exclusive-or l '(9))"),
    ("NSET-EXCLUSIVE-OR", "(nset-exclusive-or l (list 9))"),
    ("SUBSETP", "(subsetp l '(9))"),
    ("GET-PROPERTIES", "(get-properties '(:a 1) l)"),
    ("LENGTH", "(length l)"),
    ("ELT", "(elt l 10)"),
    ("(SETF ELT)", "(setf (elt l 10) 0)"),
    ("SUBSEQ", "(subseq l 0 1)"),
    ("COPY-SEQ", "(copy-seq l)"),
    ("REVERSE", "(reverse l)"),
    ("NREVERSE", "(nreverse l)"),
    ("FIND", "(find 1 l)"),
    ("FIND-IF", "(find-if #'null l :from-end t)"),
    ("FIND-IF-NOT", "(find-if-not #'numberp l)"),
    ("POSITION", "(position 99 l)"),
    ("POSITION-IF", "(position-if #'null l)"),
    ("POSITION-IF-NOT", "(position-if-not #'numberp l)"),
    ("COUNT", "(count 99 l)"),
    ("COUNT-IF", "(count-if #'null l)"),
    ("COUNT-IF-NOT", "(count-if-not #'numberp l)"),
    ("REMOVE", "(remove 99 l)"),
    ("REMOVE-IF", "(remove-if #'null l)"),
    ("REMOVE-IF", "(remove-if #'null l :key #'identity)"),
    ("REMOVE-IF-NOT", "(remove-if-not #'numberp l)"),
    ("DELETE", "(delete 99 l)"),
    ("DELETE-IF", "(delete-if #'null l)"),
    ("DELETE-IF-NOT", "(delete-if-not #'numberp l :count 1)"),
    ("SUBSTITUTE", "(substitute 9 99 l)"),
    ("SUBSTITUTE-IF", "(substitute-if 9 #'null l)"),
    ("SUBSTITUTE-IF-NOT", "(substitute-if-not 9 #'numberp l)"),
    ("NSUBSTITUTE", "(nsubstitute 9 99 l)"),
    ("NSUBSTITUTE-IF", "(nsubstitute-if 9 #'null l)"),
    ("NSUBSTITUTE-IF-NOT", "(nsubstitute-if-not 9 #'numberp l)"),
    ("REMOVE-DUPLICATES", "(remove-duplicates l)"),
    ("DELETE-DUPLICATES", "(delete-duplicates l)"),
    ("CONCATENATE", "(concatenate 'list l)"),
    ("MAP", "(map 'list #'identity l)"),
    ("MAP-INTO", "(map-into (list 1 2) #'identity l)"),
    ("MAP-INTO", "(map-into l #'identity '(1 2))"),
    ("REDUCE", "(reduce #'+ l)"),
    ("FILL", "(fill l 0)"),
    ("REPLACE", "(replace l '(1))"),
    ("REPLACE", "(replace (list 1 2) l)"),
    ("SEARCH", "(search '(99) l)"),
    ("MISMATCH", "(mismatch l '(1 2))"),
    ("EVERY", "(every #'numberp l)"),
    ("SOME", "(some #'null l)"),
    ("NOTANY", "(notany #'null l)"),
    ("NOTEVERY", "(notevery #'numberp l)"),
    ("SORT", "(sort l #'<)"),
    ("STABLE-SORT", "(stable-sort l #'<)"),
    ("MERGE", "(merge 'list l (list 1) #'<)"),
    ("MAKE-ARRAY", "(make-array 3 :initial-contents l)"),
]
PROPER_ALIST_CALLS = [
    ("ASSOC", "(assoc 99 l)"),
    ("ASSOC-IF", "(assoc-if #'null l)"),
    ("ASSOC-IF-NOT", "(assoc-if-not #'symbolp l)"),
    ("RASSOC", "(rassoc 99 l)"),
    ("RASSOC-IF", "(rassoc-if #'null l)"),
    ("RASSOC-IF-NOT", "(rassoc-if-not #'numberp l)"),
    ("COPY-ALIST", "(copy-alist l)"),
    ("SUBLIS", "(sublis l '(a b))"),
]
PROPER_PLIST_CALLS = [
    ("GETF", "(getf l :x)"),
    ("GET-PROPERTIES", "(get-properties l '(:x))"),
]
# Functions whose list may be dotted but not circular: (name, form, SBCL's result for the dotted list)
DOTTED_LIST_CALLS = [
    ("COPY-LIST", "(copy-list l)", "((1 2 . 3))"),
    ("LAST", "(last l)", "((2 . 3))"),
    ("LAST", "(last l 2)", "((1 2 . 3))"),
    ("BUTLAST", "(butlast l)", "((1))"),
    ("NBUTLAST", "(nbutlast l)", "((1))"),
    ("LDIFF", "(ldiff l 99)", "((1 2 . 3))"),
    ("TAILP", "(tailp 99 l)", "(NIL)"),
    ("NCONC", "(nconc l (list 9))", "((1 2 9))"),
]


def _message(form: str, lst: str) -> str:
    condition = raised(f"(let ((l {lst})) {form})")
    assert isinstance(condition, LispTypeError), condition
    return str(condition)


def _cases(calls: list[tuple[str, str]], lists: dict[str, str]) -> list:
    return [pytest.param(name, form, lists[kind], id=f"{form}-{kind}") for name, form in calls for kind in lists]


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("name", "form", "lst"), _cases(PROPER_LIST_CALLS, LISTS) + _cases(PROPER_ALIST_CALLS, ALISTS)
                         + _cases(PROPER_PLIST_CALLS, PLISTS))
def test_a_circular_or_dotted_list_is_a_type_error_naming_the_function(name: str, form: str, lst: str) -> None:
    assert f"{name}: " in _message(form, lst)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("name", "form"), [(name, form) for name, form, _ in DOTTED_LIST_CALLS])
def test_a_circular_list_is_a_type_error_where_a_dotted_one_is_allowed(name: str, form: str) -> None:
    assert f"{name}: a circular list" in _message(form, LISTS["circular"])


@pytest.mark.parametrize(("form", "expected"), [(form, expected) for _, form, expected in DOTTED_LIST_CALLS])
def test_a_function_taking_a_dotted_list_gives_the_standard_result(form: str, expected: str) -> None:
    assert results(f"(let ((l {LISTS['dotted']})) {form})") == expected


@pytest.mark.timeout(60)
def test_list_length_of_a_circular_list_is_nil() -> None:
    assert results(f"(list-length {LISTS['circular']})") == "(NIL)"


def test_list_length_of_a_dotted_list_is_a_type_error_naming_it() -> None:
    assert "LIST-LENGTH: " in _message("(list-length l)", LISTS["dotted"])


@pytest.mark.timeout(60)
@pytest.mark.parametrize("form", ["(copy-tree l)", "(subst 9 99 l)", "(tree-equal l l)"])
def test_a_tree_function_on_a_circular_list_exhausts_the_stack_as_in_sbcl(form: str) -> None:
    text = f"(let ((l {LISTS['circular']})) (handler-case {form} (storage-condition () :exhausted)))"
    assert results(text) == "(:EXHAUSTED)"


def test_an_odd_property_list_is_a_type_error_naming_the_function() -> None:
    assert "GETF: the property list (:A 1 :B) has an odd length" in _message("(getf l :x)", "(list :a 1 :b)")


def test_get_properties_of_an_odd_property_list_is_a_type_error_naming_it() -> None:
    assert "GET-PROPERTIES: the property list (:A 1 :B) has an odd length" in _message("(get-properties l '(:a))", "(list :a 1 :b)")


def test_a_named_walker_gives_the_elements_of_a_proper_list() -> None:
    assert named(to_list, "F")(make_list([1, 2, 3])) == [1, 2, 3]


@pytest.mark.skipif(not native_enabled, reason="native conses are off")
def test_a_named_walker_runs_the_native_code_of_the_walker() -> None:
    from dispatch import native

    twin = named(to_list, "F")
    assert type(twin) is type(to_list)
    assert native.load_pointer(twin, native.VECTORCALL_OFFSET) == native.load_pointer(to_list, native.VECTORCALL_OFFSET)


def test_a_named_walker_names_the_function_in_its_type_error() -> None:
    with pytest.raises(LispTypeError) as info:
        named(to_list, "SOME-FUNCTION")(make_list([1], 2))
    assert str(as_condition(info.value)).endswith("SOME-FUNCTION: the list ends in the dotted tail 2, not NIL")


@pytest.mark.timeout(60)
def test_mapl_stops_where_its_function_cut_the_list() -> None:
    text = "(let ((l (list 1 2 3 4)) (seen nil)) (mapl (lambda (x) (push x seen) (setf (cdr l) nil)) l) seen)"
    assert results(text) == "(((1)))"


@pytest.mark.timeout(60)
def test_member_if_whose_test_cut_the_list_finds_nothing_past_the_cut() -> None:
    text = "(let ((l (list 1 2 3 4))) (member-if (lambda (x) (when (= x 1) (setf (cdr l) nil)) (= x 3)) l))"
    assert results(text) == "(NIL)"
