"""Completion of symbol names at the REPL, and the highlighting lexer."""

from pygments.token import Name

from lisp.repl.completion import symbol_completions, token_before_cursor
from lisp.repl.lexer import GfjitLispLexer
from lisp.runtime.data import COMMON_LISP_USER, make_package
from lisp.runtime.namespace import set_function

PKG = make_package("COMPLETION-TEST", use=[])
for _name in ("ALPHA-ONE", "ALPHA-TWO", "Mixed"):
    PKG.intern(_name)
PKG.export(PKG.intern("ALPHA-EXPORTED"))


def test_a_prefix_completes_to_accessible_symbols_in_lower_case():
    assert symbol_completions("alpha-", PKG) == ["alpha-exported", "alpha-one", "alpha-two"]


def test_completion_ignores_the_case_typed():
    assert symbol_completions("ALPHA-O", PKG) == ["alpha-one"]


def test_a_name_the_reader_would_upcase_differently_is_offered_with_bars():
    assert symbol_completions("Mi", PKG) == []
    assert "completion-test::|Mixed|" in symbol_completions("completion-test::", PKG)


def test_single_colon_completes_external_symbols_only():
    assert symbol_completions("completion-test:al", COMMON_LISP_USER) == ["completion-test:alpha-exported"]


def test_double_colon_completes_every_present_symbol():
    assert symbol_completions("completion-test::alpha-", COMMON_LISP_USER) == [
        "completion-test::alpha-exported", "completion-test::alpha-one", "completion-test::alpha-two"]


def test_a_leading_colon_completes_keywords():
    from lisp.runtime.data import keyword

    keyword("COMPLETION-TEST-KEY")
    assert symbol_completions(":completion-test-k", PKG) == [":completion-test-key"]


def test_package_names_complete_with_their_colon():
    assert "completion-test:" in symbol_completions("completion-t", COMMON_LISP_USER)


def test_an_unknown_package_prefix_completes_to_nothing():
    assert symbol_completions("no-such-package:x", COMMON_LISP_USER) == []


def test_the_token_before_the_cursor_starts_after_the_last_delimiter():
    assert token_before_cursor("(mapcar #'car") == "car"
    assert token_before_cursor("(foo 'bar") == "bar"
    assert token_before_cursor("(cl:ca") == "cl:ca"
    assert token_before_cursor("(foo ") == ""


def test_the_lexer_marks_standard_operators_in_any_case():
    tokens = dict((value, token) for token, value in GfjitLispLexer().get_tokens("(DEFUN x) (defun y)"))
    assert tokens["DEFUN"] is tokens["defun"]
    assert tokens["DEFUN"] is not Name.Variable


def test_the_lexer_marks_functions_defined_in_the_image():
    sym = COMMON_LISP_USER.intern("LEXER-TEST-USER-FUNCTION")
    set_function(sym, lambda: None)
    tokens = dict((value, token) for token, value in
                  GfjitLispLexer().get_tokens("(lexer-test-user-function lexer-test-unknown)"))
    assert tokens["lexer-test-user-function"] is Name.Function
    assert tokens["lexer-test-unknown"] is Name.Variable
