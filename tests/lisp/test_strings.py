"""Strings a program may modify (LispString) and literal strings (Python str): which functions make
which, modification in place, fill pointers and the string streams that write into them, and how
the two kinds meet (equal, hash tables, designators, Python)."""

import pytest
from lisp_eval import run, show
from lisp_results import results

from lisp.runtime.arrays import LispString

MAKERS = [
    '(make-string 3 :initial-element #\\a)',
    '(make-array 3 :element-type \'character :initial-element #\\a)',
    '(copy-seq "abc")',
    '(subseq "xabc" 1)',
    '(concatenate \'string "a" "bc")',
    '(string-upcase "abc")',
    '(string-downcase "ABC")',
    '(string-capitalize "abc")',
    '(string-trim " " " abc ")',
    '(string-left-trim " " " abc")',
    '(string-right-trim " " "abc ")',
    '(format nil "~a" "abc")',
    '(with-output-to-string (s) (princ "abc" s))',
    '(let ((s (make-string-output-stream))) (princ "abc" s) (get-output-stream-string s))',
    '(map \'string #\'identity "abc")',
    '(coerce \'(#\\a #\\b #\\c) \'string)',
    '(reverse "cba")',
    '(remove #\\x "axbc")',
    '(make-sequence \'string 3 :initial-element #\\a)',
]


@pytest.mark.parametrize("maker", MAKERS)
def test_a_string_the_program_makes_can_be_modified(maker):
    assert results(f"(let ((s {maker})) (setf (char s 0) #\\Z) (char s 0))") == "(#\\Z)"


def test_a_string_literal_is_a_python_str():
    assert type(run('"abc"')) is str


def test_modifying_a_literal_string_signals_an_error_saying_so():
    report = show('(handler-case (setf (char "abc" 0) #\\z) (error (c) (princ-to-string c)))')
    assert "literal string" in report and "COPY-SEQ" in report


@pytest.mark.parametrize("form", ['(nstring-upcase "abc")', '(fill "abc" #\\z)', '(replace "abc" "x")',
                                  '(setf (aref "abc" 0) #\\z)', '(setf (elt "abc" 0) #\\z)'])
def test_destructive_functions_refuse_a_literal_string(form):
    assert results(form) == "SIMPLE-ERROR"


def test_nstring_upcase_changes_the_string_itself():
    assert show('(let ((s (copy-seq "abc"))) (list (eq s (nstring-upcase s :end 2)) s))') == '(T "ABc")'


def test_a_fill_pointer_ends_what_the_string_functions_see():
    assert show('(let ((s (make-array 5 :element-type \'character :initial-contents "abcde" :fill-pointer 3)))'
                ' (list (string-upcase s) (string= s "abc") (length s) (char s 4)))') == '("ABC" T 3 #\\e)'


def test_with_output_to_string_into_a_string_appends_at_its_fill_pointer():
    assert show("(let ((s (make-array 2 :element-type 'character :initial-contents \"ab\" :fill-pointer 2"
                " :adjustable t))) (with-output-to-string (o s) (princ 123 o)) s)") == '"ab123"'


def test_a_stream_into_a_string_starts_at_the_column_the_string_leaves():
    assert show("(let ((s (make-array 3 :element-type 'character :initial-contents (list #\\a #\\Newline #\\b)"
                " :fill-pointer 3 :adjustable t)))"
                " (with-output-to-string (o s) (fresh-line o) (princ 1 o)) s)") == '"a\nb\n1"'


def test_with_output_to_string_into_a_string_returns_the_body_value():
    assert show("(let ((s (make-array 0 :element-type 'character :fill-pointer 0)))"
                " (with-output-to-string (o s) (princ 1 o) :done))") == ":DONE"


def test_with_output_to_string_needs_a_string_with_a_fill_pointer():
    assert results('(with-output-to-string (o (copy-seq "ab")) (princ 1 o))') == ":TYPE-ERROR"


def test_format_into_a_string_with_a_fill_pointer_appends_and_returns_nil():
    assert show("(let ((s (make-array 0 :element-type 'character :fill-pointer 0 :adjustable t)))"
                " (list (format s \"~a-~a\" 1 2) s))") == '(NIL "1-2")'


def test_format_into_a_string_without_a_fill_pointer_is_a_type_error():
    assert results('(format (copy-seq "ab") "x")') == ":TYPE-ERROR"


def test_equal_compares_strings_of_either_kind_by_their_characters():
    assert show('(list (equal (copy-seq "ab") "ab") (equal "ab" (copy-seq "ab")) (equal (copy-seq "ab") "AB"))') \
        == "(T T NIL)"


def test_an_equal_hash_table_finds_a_made_string_by_a_literal():
    assert show('(let ((h (make-hash-table :test \'equal))) (setf (gethash (format nil "k~a" 1) h) :v)'
                ' (gethash "k1" h))') == ":V"


def test_string_of_a_string_is_the_string_itself():
    assert show('(let ((s (copy-seq "a"))) (eq s (string s)))') == "T"


def test_made_strings_name_symbols_and_format_errors():
    assert show('(symbol-name (intern (format nil "MADE-~a" 1)))') == '"MADE-1"'
    assert show('(handler-case (error (copy-seq "bad ~a") 7) (error (c) (princ-to-string c)))') == '"bad 7"'


def test_python_sees_a_made_string_as_its_text():
    s = run('(format nil "~a" 42)')
    assert type(s) is LispString and str(s) == "42"


def test_py_calls_give_python_a_str():
    assert run('(py:call (copy-seq "abc") "upper")') == "ABC"
    assert run('(py:funcall (py:eval "type") (copy-seq "abc"))') is str


def test_string_of_a_character_is_a_new_string():
    assert show("(let ((s (string #\\a))) (setf (char s 0) #\\b) (list s (eq s (string #\\a))))") == '("b" NIL)'
