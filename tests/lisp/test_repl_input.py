"""How the REPL splits input into forms, and how its editor decides completeness and indentation."""

import pytest

from lisp.repl.forms import INCOMPLETE, LINE_END, FormSource, is_incomplete
from lisp.repl.interactive import indentation
from lisp.runtime.condition_classes import ReaderError
from lisp.runtime.data import COMMON_LISP_USER, intern
from lisp.syntax.reader import EOF


def names(form):
    return [sym.name for sym in form]


def test_a_form_split_over_two_feeds_is_read_once_complete():
    source = FormSource("<repl>")
    source.feed("(a\n")
    assert source.next_form() is INCOMPLETE
    source.feed("b)\n")
    assert names(source.next_form()) == ["A", "B"]
    assert source.next_form() is EOF


def test_positions_count_lines_from_the_start_of_the_session():
    source = FormSource("<repl>")
    source.feed("(a)\n(b)\n")
    source.next_form()
    source.next_form()
    source.feed("  (c)\n")
    assert str(source.next_form().pos) == "<repl>:3:3"


def test_several_forms_on_one_line_are_read_in_order():
    source = FormSource("<repl>")
    source.feed("(a) b (c)\n")
    assert names(source.next_form()) == ["A"]
    assert source.next_form() is intern("B")
    assert names(source.next_form()) == ["C"]


def test_a_stray_close_paren_is_a_reader_error_with_its_position():
    source = FormSource("<repl>")
    source.feed("(a)\n  )\n")
    source.next_form()
    with pytest.raises(ReaderError) as caught:
        source.next_form()
    assert str(caught.value.pos) == "<repl>:2:3"


def test_after_a_reader_error_the_rest_of_its_line_is_dropped_and_reading_goes_on():
    source = FormSource("<repl>")
    source.feed(") (dropped)\n(kept)\n")
    with pytest.raises(ReaderError):
        source.next_form()
    assert names(source.next_form()) == ["KEPT"]


def test_an_unfinished_form_keeps_its_end_of_file_error_for_the_end_of_input():
    source = FormSource("<repl>")
    source.feed("(a (b)\n")
    assert source.next_form() is INCOMPLETE
    assert str(source.unfinished.pos) == "<repl>:1:1"


def test_discard_drops_unread_text():
    source = FormSource("<repl>")
    source.feed("(a (b\n")
    source.next_form()
    source.discard()
    assert source.unfinished is None
    source.feed("(c)\n")
    assert names(source.next_form()) == ["C"]


@pytest.mark.parametrize("text", ["(a (b)", '(a "b)', "#| open", "(a #\\( "])
def test_open_input_is_incomplete(text):
    assert is_incomplete(text)


@pytest.mark.parametrize("text", ["(a (b))", "x", ")", "(unknown-package:sym)", "", "; comment"])
def test_closed_or_bad_input_is_complete(text):
    assert not is_incomplete(text)


def test_checking_completeness_does_not_intern_symbols():
    assert COMMON_LISP_USER.find_symbol("NEVER-SEEN-BY-COMPLETENESS-43")[0] is None
    is_incomplete("(never-seen-by-completeness-43")
    assert COMMON_LISP_USER.find_symbol("NEVER-SEEN-BY-COMPLETENESS-43")[0] is None


def test_a_new_line_is_indented_two_past_the_innermost_open_paren():
    assert indentation("(defun f (x)\n  (let ((y 1))") == 4


def test_parens_in_strings_characters_and_comments_do_not_count_for_indentation():
    assert indentation('(a "(" #\\( ; (\n') == 2


def test_a_closed_input_needs_no_indentation():
    assert indentation("(a (b))") == 0


def test_the_position_of_an_atom_is_where_it_was_read():
    source = FormSource("<repl>")
    source.feed("1\n  ; a comment\n  #| block |# foo\n")
    source.next_form()
    assert source.next_form() is intern("FOO")
    assert str(source.form_pos) == "<repl>:3:15"


def test_a_form_on_the_same_line_is_read_as_part_of_that_line():
    source = FormSource("<repl>")
    source.feed(":time (a\n b) c\nd\n")
    source.next_form()
    assert names(source.next_form_on_line(1)) == ["A", "B"]
    assert source.next_form_on_line(1) is LINE_END
    assert source.next_form() is intern("C")


def test_the_end_of_the_text_so_far_ends_the_line():
    source = FormSource("<eval>")
    source.feed(":help")
    source.next_form()
    assert source.next_form_on_line(1) is LINE_END
