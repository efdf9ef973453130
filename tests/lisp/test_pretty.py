"""The pretty printer (CLHS 22.2): logical blocks, conditional newlines, indentation, tabs,
``*print-lines*``/``*print-miser-width*``, pprint dispatch tables and the standard layouts."""

import pytest

import lisp
from lisp.runtime.arrays import LispString
from lisp.runtime.condition_classes import LispTypeError, ProgramError


def ev(text: str):
    """The value of ``text``; a string a program may modify (LispString) as a ``str``."""
    value = lisp.eval_string(text, file="<test_pretty>")
    return str(value) if isinstance(value, LispString) else value


def shown(text: str) -> str:
    """The value of ``text`` as ``prin1`` prints it (to compare lists)."""
    return ev(f"(prin1-to-string {text})")


def block(body: str, margin: int = 100, **settings: str) -> str:
    """What ``body`` prints inside ``(pprint-logical-block (s list ...))``-using code given as is,
    with ``*print-pretty*`` and a right margin."""
    bindings = " ".join(f"(*print-{name.replace('_', '-')}* {value})" for name, value in settings.items())
    return ev(f"(let ((*print-pretty* t) (*print-right-margin* {margin}) {bindings})"
              f" (with-output-to-string (s) {body}))")


# -- logical blocks ----------------------------------------------------------------------------

def test_a_logical_block_prints_its_prefix_and_suffix_around_the_body():
    assert block('(pprint-logical-block (s (list 1 2) :prefix "[" :suffix "]") (write (pprint-pop) :stream s))') \
        == "[1]"


def test_pprint_pop_and_exit_if_list_exhausted_walk_the_list():
    assert block("(pprint-logical-block (s (list 1 2 3)) (loop (pprint-exit-if-list-exhausted)"
                 " (write (pprint-pop) :stream s) (pprint-exit-if-list-exhausted) (write-char #\\space s)))") \
        == "1 2 3"


def test_pprint_pop_prints_dots_at_print_length():
    assert block("(pprint-logical-block (s (list 1 2 3 4)) (loop (write (pprint-pop) :stream s)"
                 " (write-char #\\space s)))", length=2) == "1 2 ..."


def test_pprint_pop_prints_a_dotted_tail():
    assert block("(pprint-logical-block (s (list* 1 2 3)) (loop (write (pprint-pop) :stream s)"
                 " (write-char #\\space s)))") == "1 2 . 3"


def test_an_object_that_is_not_a_list_is_printed_by_write():
    assert block('(pprint-logical-block (s 9 :prefix "[" :suffix "]") (write-string "body" s))') == "9"


def test_a_per_line_prefix_starts_every_line_even_literal_ones():
    assert block('(pprint-logical-block (s nil :per-line-prefix ";; ") (write-string "a" s) (terpri s)'
                 ' (write-string "b" s))') == ";; a\n;; b"


def test_blocks_below_print_level_print_as_a_hash():
    assert block('(pprint-logical-block (s (list (list 1)) :prefix "{" :suffix "}")'
                 ' (pprint-logical-block (s (pprint-pop) :prefix "[" :suffix "]") (write 1 :stream s)))',
                 level=1) == "{#}"


def test_a_shared_list_printed_by_blocks_is_labelled_under_print_circle():
    assert block("(let* ((v (list 8)) (l (list v v)))"
                 ' (pprint-logical-block (s l :prefix "(" :suffix ")")'
                 ' (pprint-logical-block (s (pprint-pop) :prefix "(" :suffix ")") (write (car v) :stream s))'
                 " (write-char #\\space s)"
                 ' (pprint-logical-block (s (pprint-pop) :prefix "(" :suffix ")") (write (car v) :stream s))))',
                 circle="t") == "(#1=(8) #1#)"


def test_prefix_and_per_line_prefix_together_are_an_error():
    with pytest.raises(ProgramError, match="cannot both"):
        ev('(pprint-logical-block (*standard-output* nil :prefix "a" :per-line-prefix "b"))')


def test_a_prefix_must_be_a_string():
    with pytest.raises(LispTypeError):
        ev("(pprint-logical-block (*standard-output* '(1) :prefix 5))")


def test_pprint_pop_outside_a_logical_block_is_an_error():
    with pytest.raises(ProgramError, match="only allowed inside PPRINT-LOGICAL-BLOCK"):
        ev("(pprint-pop)")


# -- newlines, indentation, tabs -----------------------------------------------------------------

FILL_BODY = ("(pprint-logical-block (s (loop for i below 12 collect i) :prefix \"(\" :suffix \")\")"
             " (loop (write (pprint-pop) :stream s) (pprint-exit-if-list-exhausted) (write-char #\\space s)"
             " (pprint-newline {kind} s)))")


def test_fill_newlines_break_only_where_the_line_is_full():
    assert block(FILL_BODY.format(kind=":fill"), margin=12) == "(0 1 2 3 4\n 5 6 7 8 9\n 10 11)"


def test_linear_newlines_all_break_when_the_section_does_not_fit():
    assert block(FILL_BODY.format(kind=":linear"), margin=12).count("\n") == 11
    assert block(FILL_BODY.format(kind=":linear"), margin=100) == "(0 1 2 3 4 5 6 7 8 9 10 11)"


def test_miser_newlines_break_only_in_miser_style():
    assert block(FILL_BODY.format(kind=":miser"), margin=12) == "(0 1 2 3 4 5 6 7 8 9 10 11)"
    assert block(FILL_BODY.format(kind=":miser"), margin=12, miser_width=20).count("\n") == 11


def test_mandatory_newlines_always_break():
    assert block(FILL_BODY.format(kind=":mandatory"), margin=100).count("\n") == 11


def test_blanks_before_a_conditional_break_are_dropped():
    assert block('(pprint-logical-block (s nil) (write-string "aaaa    " s) (pprint-newline :mandatory s)'
                 ' (write-string "b" s))') == "aaaa\nb"


def test_block_indentation_is_relative_to_the_start_of_the_block():
    assert block('(write-string "xx" s) (pprint-logical-block (s nil) (write-string "a" s) (pprint-indent :block 3 s)'
                 ' (pprint-newline :mandatory s) (write-string "b" s))') == "xxa\n     b"


def test_current_indentation_is_relative_to_the_column_where_it_is_given():
    assert block('(pprint-logical-block (s nil) (write-string "abcd" s) (pprint-indent :current 1 s)'
                 ' (pprint-newline :mandatory s) (write-string "b" s))') == "abcd\n     b"


def test_pprint_tab_moves_to_a_column_of_the_line_or_the_section():
    assert block('(pprint-logical-block (s nil) (write-string "ab" s) (pprint-tab :line 6 1 s) (write-string "c" s))') \
        == "ab    c"
    assert block('(write-string "xyz" s) (pprint-logical-block (s nil) (write-string "ab" s)'
                 ' (pprint-tab :section 6 1 s) (write-string "c" s))') == "xyzab    c"
    assert block('(pprint-logical-block (s nil) (write-string "ab" s) (pprint-tab :line-relative 1 4 s)'
                 ' (write-string "c" s))') == "ab  c"


def test_pretty_operations_do_nothing_on_an_ordinary_stream():
    assert ev('(with-output-to-string (s) (write-string "a" s) (pprint-newline :mandatory s)'
              ' (pprint-tab :line 10 1 s) (pprint-indent :block 4 s) (write-string "b" s))') == "ab"


def test_print_lines_cuts_the_output_with_two_dots_and_the_suffixes():
    assert block(FILL_BODY.format(kind=":mandatory"), margin=100, lines=3) == "(0\n 1\n 2 ..)"


def test_bad_kinds_are_type_errors():
    for form in ("(pprint-newline :sometimes)", "(pprint-indent :line 2)", "(pprint-tab :column 1 1)",
                 "(pprint-tab :line -1 1)"):
        with pytest.raises(LispTypeError):
            ev(form)


# -- pprint-fill, -linear, -tabular ----------------------------------------------------------------

def test_pprint_fill_linear_and_tabular_lay_out_a_list():
    numbers = "(loop for i from 1 to 15 collect i)"
    assert block(f"(pprint-fill s {numbers})", margin=20) == "(1 2 3 4 5 6 7 8 9\n 10 11 12 13 14 15)"
    assert block(f"(pprint-linear s {numbers} nil)", margin=20).startswith("1\n2\n")
    assert block(f"(pprint-tabular s {numbers} t nil 4)", margin=20) == \
        "(1   2   3   4   5\n 6   7   8   9   10\n 11  12  13  14  15)"


def test_pprint_fill_of_an_atom_prints_it():
    assert block("(pprint-fill s 7)") == "7"


# -- dispatch tables ---------------------------------------------------------------------------

def test_set_pprint_dispatch_changes_the_printing_of_its_type_and_nil_removes_it():
    assert shown("(let ((*print-pprint-dispatch* (copy-pprint-dispatch nil)) (*print-pretty* t))"
                 " (list (write-to-string 'x)"
                 "  (set-pprint-dispatch '(eql x) (lambda (s o) (declare (ignore o)) (write-string \"EKS\" s)))"
                 "  (write-to-string 'x) (set-pprint-dispatch '(eql x) nil) (write-to-string 'x)))") == \
        '("X" NIL "EKS" NIL "X")'


def test_the_entry_of_highest_priority_wins():
    assert shown("(let ((*print-pprint-dispatch* (copy-pprint-dispatch nil)) (*print-pretty* t))"
                 " (set-pprint-dispatch 'integer (lambda (s o) (declare (ignore o)) (write-string \"int\" s)) 1)"
                 " (set-pprint-dispatch '(eql 5) (lambda (s o) (declare (ignore o)) (write-string \"five\" s)) 2)"
                 " (list (write-to-string 5) (write-to-string 6)))") == '("five" "int")'


def test_a_cons_entry_by_its_car_applies_to_lists_starting_with_that_symbol():
    assert ev("(let ((*print-pprint-dispatch* (copy-pprint-dispatch nil)) (*print-pretty* t))"
              " (set-pprint-dispatch '(cons (member frob)) (lambda (s o) (format s \"<frob ~a>\" (cdr o))))"
              " (write-to-string '(a (frob 1 2))))") == "(A <frob (1 2)>)"


def test_pprint_dispatch_returns_the_function_and_whether_an_entry_was_found():
    assert shown("(multiple-value-bind (f found) (pprint-dispatch '(let ((x 1)) x)) (list (functionp f) found))") \
        == "(T T)"
    assert ev("(nth-value 1 (pprint-dispatch 'a-symbol))") is None


def test_copies_are_independent_of_each_other():
    assert shown("(let ((a (copy-pprint-dispatch nil)) (b (copy-pprint-dispatch nil)) (*print-pretty* t))"
                 " (set-pprint-dispatch 'integer (lambda (s o) (declare (ignore o)) (write-string \"A\" s)) 0 a)"
                 " (list (let ((*print-pprint-dispatch* a)) (write-to-string 1))"
                 "       (let ((*print-pprint-dispatch* b)) (write-to-string 1))))") == '("A" "1")'


def test_the_standard_table_of_with_standard_io_syntax_cannot_be_modified():
    with pytest.raises(LispTypeError, match="cannot be modified"):
        ev("(with-standard-io-syntax (set-pprint-dispatch 'integer nil))")


def test_a_priority_must_be_real():
    with pytest.raises(LispTypeError):
        ev("(set-pprint-dispatch 'integer 'identity :high (copy-pprint-dispatch nil))")


# -- the standard layouts (SBCL's) -----------------------------------------------------------------

def code(form: str, margin: int = 50) -> str:
    return ev(f"(let ((*print-pretty* t) (*print-right-margin* {margin})) (prin1-to-string '{form}))")


def test_let_and_defun_put_their_body_below_indented_by_two():
    assert code("(defun foo (x) (let ((y 1)) (bar x y)))") == "(DEFUN FOO (X)\n  (LET ((Y 1))\n    (BAR X Y)))"


def test_an_empty_lambda_list_prints_as_empty_parentheses():
    assert code("(defun f () (list aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd))") == \
        "(DEFUN F ()\n  (LIST AAAAAAAAAA BBBBBBBBBB CCCCCCCCCC\n        DDDDDDDDDD))"


def test_if_puts_each_branch_on_its_own_line():
    assert code("(if a b c)") == "(IF A\n    B\n    C)"


def test_quote_and_function_print_with_their_reader_syntax():
    assert code("(list (quote a) (function b))") == "(LIST 'A #'B)"


def test_data_lists_fill_and_calls_align_under_the_first_argument():
    assert code("(not-a-function aaaa bbbb cccc dddd eeee ffff gggg)", margin=30) == \
        "(NOT-A-FUNCTION AAAA BBBB\n CCCC DDDD EEEE FFFF GGGG)"
    assert code("(list aaaa bbbb cccc dddd eeee ffff gggg)", margin=30) == \
        "(LIST AAAA BBBB CCCC DDDD\n      EEEE FFFF GGGG)"


def test_a_macro_with_a_body_puts_each_body_form_on_its_own_line():
    ev("(defmacro test-pretty-with-body (name &body body) (declare (ignore name body)) nil)")
    assert code("(test-pretty-with-body x (a) (b))") == "(TEST-PRETTY-WITH-BODY X\n  (A)\n  (B))"


def test_vectors_and_structures_are_laid_out_too():
    assert code("#(aaaa bbbb cccc dddd eeee)", margin=20) == "#(AAAA BBBB CCCC\n  DDDD EEEE)"
    ev("(defstruct test-pretty-point xxxx yyyy)")
    assert ev("(let ((*print-right-margin* 20)) (prin1-to-string (make-test-pretty-point :xxxx 1 :yyyy 2)))") == \
        "#S(TEST-PRETTY-POINT\n   :XXXX 1\n   :YYYY 2)"


def test_with_no_right_margin_nothing_is_laid_out():
    assert ev("(let ((*print-pretty* t)) (prin1-to-string '(if a b c)))") == "(IF A B C)"


def test_pprint_lays_out_within_80_columns_when_there_is_no_margin():
    assert ev("(with-output-to-string (s) (pprint '(if a b c) s))") == "\n(IF A\n    B\n    C)"


def test_write_takes_the_pretty_printer_options_as_keywords():
    assert ev("(write-to-string '(a b c d e f) :pretty t :right-margin 7)") == "(A B C\n D E F)"
    assert ev("(write-to-string '(a b c d e f) :pretty t :right-margin 6 :lines 2)") == "(A B\n C D ..)"


def test_prefix_and_suffix_may_be_strings_a_program_made():
    assert block("(pprint-logical-block (s (list 4) :prefix (make-array 10 :element-type 'character"
                 " :initial-contents \"abcdefghij\" :fill-pointer 3) :suffix (copy-seq \"!?\"))"
                 " (write (pprint-pop) :stream s))") == "abc4!?"


@pytest.mark.parametrize("call", ["(pprint-newline (vector 1))", "(pprint-indent (vector 1) 0)",
                                  "(pprint-tab (vector 1) 0 1)"])
def test_a_kind_that_is_not_a_symbol_is_a_type_error_naming_it(call):
    assert ev(f"(handler-case {call} (type-error (c) (prin1-to-string (type-error-datum c))))") == "#(1)"


@pytest.mark.parametrize("form", ["(copy-pprint-dispatch)", "(copy-pprint-dispatch nil)"])
def test_dispatch_tables_are_of_type_pprint_dispatch_table(form):
    assert shown(f"(list (typep {form} 'pprint-dispatch-table) (type-of {form}))") == "(T PPRINT-DISPATCH-TABLE)"
