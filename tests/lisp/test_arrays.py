"""Arrays (lisp.runtime.arrays, lisp.library.arrays): the representation, shape changes and
displacement, element types, and the errors that leave an array as it was. The answers SBCL gives
for everyday array forms are in test_sbcl_differential.py ('arrays-and-strings')."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lisp_eval import run, show
from lisp_results import results

from lisp.runtime.arrays import BitVector, LispArray, LispString, LispVector
from lisp.runtime.element_types import UPGRADED
from lisp.syntax.printer import prin1_to_string


def test_a_simple_vector_is_a_python_list():
    assert type(run("(make-array 3 :initial-element 0)")) is list
    assert type(run("(vector 1 2)")) is list
    assert type(run("(coerce '(1 2) 'simple-vector)")) is list


def test_a_python_list_passed_in_is_a_simple_vector():
    vector_p = run("#'simple-vector-p")
    assert vector_p([1, 2]) is not None
    assert run("#'svref")([7, 8], 1) == 8


def test_a_vector_with_a_fill_pointer_is_a_lisp_vector():
    v = run("(make-array 4 :fill-pointer 1)")
    assert type(v) is LispVector and v.fill_pointer == 1 and v.length == 1 and not v.simple


def test_arrays_of_other_ranks_are_lisp_arrays():
    a = run("(make-array '(2 3) :initial-element 1)")
    assert type(a) is LispArray and a.dims == (2, 3) and a.simple


def test_bit_arrays_of_rank_one_are_bit_vectors():
    assert type(run("(make-array 3 :element-type 'bit)")) is BitVector
    assert type(run("#*101")) is BitVector


def test_a_python_iteration_of_a_vector_sees_its_active_elements():
    assert list(run("(make-array 4 :fill-pointer 2 :initial-contents '(1 2 3 4))")) == [1, 2]


def test_adjusting_an_adjustable_array_changes_it_in_place():
    assert show("(let ((a (make-array 2 :adjustable t :initial-contents '(1 2)))) "
                "(list (eq a (adjust-array a 4 :initial-element 0)) a))") == "(T #(1 2 0 0))"


def test_adjusting_a_simple_array_makes_a_new_one():
    assert show("(let ((a (vector 1 2))) (list (eq a (adjust-array a 3 :initial-element 0)) a))") == "(NIL #(1 2))"


def test_a_displaced_array_sees_its_target_adjusted():
    assert show("(let* ((a (make-array 4 :adjustable t :initial-contents '(1 2 3 4)))"
                " (d (make-array 2 :displaced-to a :displaced-index-offset 2)))"
                " (adjust-array a 4 :initial-contents '(a b c d)) d)") == "#(C D)"


def test_a_displaced_array_beyond_its_shrunk_target_signals():
    assert results("(let* ((a (make-array 4 :adjustable t)) (d (make-array 2 :displaced-to a :displaced-index-offset 2)))"
                   " (adjust-array a 2) (aref d 0))") == "SIMPLE-ERROR"


def test_an_array_cannot_be_displaced_to_itself():
    assert results("(let ((a (make-array 4 :adjustable t))) (adjust-array a 2 :displaced-to a))") == "SIMPLE-ERROR"


def test_writes_through_a_displaced_array_reach_the_target():
    assert show("(let* ((a (make-array '(2 2) :initial-element 0)) (d (make-array 4 :displaced-to a)))"
                " (setf (aref d 3) 9) a)") == "#2A((0 0) (0 9))"


def test_an_array_displaced_to_a_literal_string_reads_it_and_cannot_write_it():
    assert show('(let ((d (make-array 2 :element-type \'character :displaced-to "abcd" :displaced-index-offset 1)))'
                ' d)') == '"bc"'
    assert results('(let ((d (make-array 2 :element-type \'character :displaced-to "abcd"))) '
                   '(setf (char d 0) #\\z))') == "SIMPLE-ERROR"


def test_vector_push_extend_grows_by_doubling():
    assert show("(let ((v (make-array 0 :fill-pointer 0 :adjustable t)))"
                " (dotimes (i 5) (vector-push-extend i v)) (list (length v) (array-dimension v 0)))") == "(5 8)"


def test_vector_push_extend_of_a_bad_element_leaves_the_vector_as_it_was():
    assert show("(let ((v (make-array 1 :element-type 'bit :fill-pointer 1)))"
                " (ignore-errors (vector-push-extend 7 v)) (list v (array-dimension v 0)))") == "(#*0 1)"


def test_a_write_of_a_bad_element_is_a_type_error_naming_the_element_type():
    assert show("(handler-case (setf (aref (make-array 2 :element-type '(unsigned-byte 8)) 0) 256)"
                " (type-error (c) (list (type-error-datum c) (type-error-expected-type c))))") \
        == "(256 (UNSIGNED-BYTE 8))"


def test_fill_with_a_bad_element_changes_nothing():
    assert show("(let ((v (make-array 3 :element-type 'bit))) (ignore-errors (fill v 2)) v)") == "#*000"


def test_bit_operations_store_into_the_first_array_or_the_one_given():
    assert show("(let ((a (copy-seq #*1100))) (bit-and a #*1010 t) a)") == "#*1000"
    assert show("(let ((r (make-array 4 :element-type 'bit))) (bit-xor #*1100 #*1010 r) r)") == "#*0110"
    assert show("(bit-ior (make-array '(2 2) :element-type 'bit :initial-contents '((1 0) (0 0)))"
                " (make-array '(2 2) :element-type 'bit :initial-contents '((0 0) (0 1))))") == "#2A((1 0) (0 1))"


def test_bit_operations_on_different_dimensions_signal():
    assert results("(bit-and #*10 #*101)") == "SIMPLE-ERROR"


def test_specialized_arrays_print_readably_as_forms_that_make_them():
    text = show("(let ((*print-readably* t)) (prin1-to-string (make-array 2 :element-type '(unsigned-byte 8))))")
    assert show(f"(let ((a (eval (read-from-string (subseq {text} 2))))) (list a (array-element-type a)))") \
        == "(#(0 0) (UNSIGNED-BYTE 8))"


@pytest.mark.parametrize("text", ["#2A((1 2) (3 4))", "#*1011", "#0A7", "#3A(((1) (2)) ((3) (4)))", "#2A()"])
def test_arrays_print_as_they_read(text):
    assert show(f"(prin1-to-string (read-from-string {text!r}))".replace("'", '"')) == f'"{text}"'


def test_print_circle_labels_a_shared_array():
    assert show("(let ((a (make-array '(1 1) :initial-element 0)) (*print-circle* t)) "
                "(prin1-to-string (list a a)))") == '"(#1=#2A((0)) #1#)"'


# Upgrading keeps subtypes below supertypes (CLHS 15.1.2.1): checked over integer ranges.
_BOUND = st.integers(min_value=-(2 ** 66), max_value=2 ** 66)


@settings(max_examples=200, deadline=None)
@given(_BOUND, _BOUND, _BOUND, _BOUND)
def test_upgrading_an_integer_range_within_another_stays_within_its_upgrade(a, b, c, d):
    inner, outer = (min(a, b), max(a, b)), (min(c, d, a, b), max(c, d, a, b))
    assert show(f"(subtypep (upgraded-array-element-type '(integer {inner[0]} {inner[1]}))"
                f" (upgraded-array-element-type '(integer {outer[0]} {outer[1]})))") == "T"


@pytest.mark.parametrize("element_type", UPGRADED, ids=lambda e: prin1_to_string(e.spec))
def test_each_upgraded_element_type_upgrades_to_itself(element_type):
    spec = prin1_to_string(element_type.spec)
    assert show(f"(upgraded-array-element-type '{spec})") == spec


def test_lisp_strings_are_lisp_vectors_of_characters():
    s = run("(make-string 2 :initial-element #\\a)")
    assert isinstance(s, LispVector) and type(s) is LispString and str(s) == "aa"


def test_an_empty_array_prints_readably_with_all_its_dimensions():
    text = show("(let ((*print-readably* t)) (prin1-to-string (make-array '(0 2))))")
    assert show(f"(array-dimensions (eval (read-from-string (subseq {text} 2))))") == "(0 2)"
