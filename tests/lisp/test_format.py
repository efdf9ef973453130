"""format: every directive against output recorded from SBCL, plus errors and destinations."""

import pytest

import lisp.evaluator  # boot first: reading CL names must find the CL symbols
from lisp.runtime.condition_classes import FormatError, LispTypeError
from lisp.runtime.data import NIL, Char, T, intern, lisp_list
from lisp.runtime.namespace import dynamic_binding, set_function
from lisp.runtime.streams import STANDARD_OUTPUT, StringOutputStream
from lisp.syntax.format import format_, format_to_stream, format_to_string, parse_control
from lisp.syntax.reader import read_all

# (control, arguments as Lisp text, what SBCL 2.2.9 returns with *read-default-float-format*
# DOUBLE-FLOAT). Left out on purpose, where SBCL is wrong or uses single floats: (format nil "~e"
# 1.5) -> "1.4999999999999997e+0", "~,2e" 9.999 -> "10.00e+0", "~f" 1/3 -> "0.33333334".
SBCL_CASES = [
    ('~f', '1.5', '1.5'),
    ('~f', '1.0e10', '10000000000.0'),
    ('~f', '1.0e-5', '0.00001'),
    ('~f', '1.0e21', '1000000000000000000000.0'),
    ('~,2f', '2.675', '2.67'),
    ('~,2f', '0.125', '0.13'),
    ('~,2f', '0.135', '0.14'),
    ('~,1f', '0.25', '0.3'),
    ('~,1f', '0.35', '0.3'),
    ('~,0f', '2.5', '3.'),
    ('~,0f', '3.5', '4.'),
    ('~4,2f', '0.5', '0.50'),
    ('~3,2f', '0.5', '.50'),
    ('~2,2f', '0.5', '.50'),
    ("~3,2,,'*f", '12.5', '***'),
    ('~8,3f', '-3.14159', '  -3.142'),
    ('~@f', '3.0', '+3.0'),
    ('~,2,2f', '1.5', '150.00'),
    ('~5f', '3.14159', '3.142'),
    ('~3f', '123.456', '123.'),
    ('~f', '5', '5.0'),
    ('~5,2f', '"ab"', 'ab   '),
    ('~f', '-0.0', '-0.0'),
    ('~,3f', '1.0e-5', '0.000'),
    ('~1,0f', '0.4', '.'),
    ('~,0f', '0.4', '0.'),
    ("~6,2,,,'0f", '3.14159', '003.14'),
    ('~e', '12345.678', '1.2345678e+4'),
    ('~,3e', '12345.678', '1.235e+4'),
    ('~10,3e', '12345.678', '  1.235e+4'),
    ('~,3,2e', '12345.678', '1.235e+04'),
    ('~e', '1.0e-10', '1.0e-10'),
    ('~,2,,2e', '12345.678', '12.3e+3'),
    ('~,2,,-1e', '12345.678', '0.01e+6'),
    ("~9,2,1,,'*e", '1.0e100', '*********'),
    ('~e', '0.0', '0.0e+0'),
    ('~g', '1.5', '1.5    '),
    ('~g', '1.0e10', '10000000000.    '),
    ('~g', '1.0e-5', '1.00000e-5'),
    ('~g', '123456.0', '123456.    '),
    ('~,3g', '3.14159', '3.14    '),
    ('~10,3g', '0.01', '  1.000e-2'),
    ('~$', '3.14159', '3.14'),
    ('~$', '1234.5', '1234.50'),
    ('~2,6$', '3.14159', '000003.14'),
    ('~@$', '3', '+3.00'),
    ('~,,10$', '-3.5', '     -3.50'),
    ('~,,10:$', '-3.5', '-     3.50'),
    ("~,,10,'*@:$", '3.5', '+*****3.50'),
    ('~$', '1.0e25', '10000000000000000000000000.00'),
    ('~3$', '1.0d25', '10000000000000000000000000.000'),  # needs more than 28 digits
    ('~,2f', '1.0d25', '10000000000000000000000000.00'),
    ('~r', '1234567', 'one million two hundred thirty-four thousand five hundred sixty-seven'),
    ('~:r', '23', 'twenty-third'),
    ('~@r', '1994', 'MCMXCIV'),
    ('~:@r', '1994', 'MDCCCCLXXXXIIII'),
    ('~r', '0', 'zero'),
    ('~r', '-45', 'negative forty-five'),
    ('~:r', '100', 'one hundredth'),
    ('~:r', '1000000', 'one millionth'),
    ('~r', '1000000000000', 'one trillion'),
    ('~:r', '12', 'twelfth'),
    ('~:r', '111', 'one hundred eleventh'),
    ('~2r', '10', '1010'),
    ("~16,8,'0r", '255', '000000FF'),
    ('~d', '1234567', '1234567'),
    ('~:d', '1234567', '1,234,567'),
    ('~@d', '5', '+5'),
    ("~10,'0d", '42', '0000000042'),
    ("~,,'.,4:d", '123456789', '1.2345.6789'),
    ('~5d', '"ab"', 'ab'),
    ('~d', '1.5', '1.5'),
    ('~x', '255', 'FF'),
    ('~b', '5', '101'),
    ('~o', '8', '10'),
    ('~:x', '4294967295', 'FF,FFF,FFF'),
    ('~10a|', '"abc"', 'abc       |'),
    ('~10@a|', '"abc"', '       abc|'),
    ('~10,3a|', '"abc"', 'abc         |'),
    ('~3,,2a|', '"abc"', 'abc  |'),
    ('~a', 'NIL', 'NIL'),
    ('~:a', 'NIL', '()'),
    ('~s', '"x"', '"x"'),
    ("~5,,,'-s", 'X', 'X----'),
    ('~c', '#\\a', 'a'),
    ('~:c', '#\\Space', 'Space'),
    ('~:c', '#\\a', 'a'),
    ('~:@c', '#\\Nul', 'Nul'),
    ('~p', '1', ''),
    ('~p', '2', 's'),
    ('~@p', '1', 'y'),
    ('~@p', '2', 'ies'),
    ('~(Hello WORLD foo-bar~)', '', 'hello world foo-bar'),
    ('~:(hello WORLD foo-bar~)', '', 'Hello World Foo-Bar'),
    ('~@(hello WORLD foo-bar~)', '', 'Hello world foo-bar'),
    ('~:@(hello world~)', '', 'HELLO WORLD'),
    ('~@(  hello world~)', '', '  Hello world'),
    ('a~10tb', '', 'a         b'),
    ('abcdefghijkl~10tb', '', 'abcdefghijkl b'),
    ('a~10,4tb', '', 'a         b'),
    ('abcdefghijkl~10,4tb', '', 'abcdefghijkl  b'),
    ('a~3@tb', '', 'a   b'),
    ('a~3,5@tb', '', 'a    b'),
    ('abc~0,8tb', '', 'abc     b'),
    ('~10<foo~;bar~>', '', 'foo    bar'),
    ('~10:<foo~;bar~>', '', '  foo  bar'),
    ('~10@<foo~;bar~>', '', 'foo  bar  '),
    ('~10:@<foo~;bar~>', '', ' foo bar  '),
    ('~10<foo~>', '', '       foo'),
    ('~10@<foo~>', '', 'foo       '),
    ('~<~;foo~;bar~;~>', '', 'foobar'),
    ('~{~a~^, ~}', '(1 2 3)', '1, 2, 3'),
    ('~{~a~}', 'NIL', ''),
    ('~:{~a=~a~^; ~}', '((A 1) (B 2))', 'A=1B=2'),
    ('~:{~a~:^, ~}', '((A) (B) (C))', 'A, B, C'),
    ('~@{~a~^ ~}', '1 2 3', '1 2 3'),
    ('~:@{~a-~a~^ ~}', '(1 2) (3 4)', '1-23-4'),
    ('~1{~a~}', '(1 2)', '1'),
    ('~:{~}', '"x" ((1))', 'x'),
    ('~{~}', '"~a+" (1 2)', '1+2+'),
    ('~{x~:}', 'NIL', 'x'),
    ('~[zero~;one~;two~]', '1', 'one'),
    ('~[zero~;one~:;many~]', '5', 'many'),
    ('~[a~;b~]', '7', ''),
    ('~2[a~;b~;c~]', '', 'c'),
    ('~:[no~;yes~]', 'NIL', 'no'),
    ('~:[no~;yes~]', '3', 'yes'),
    ('~@[x=~a~]', '5', 'x=5'),
    ('~@[x=~a~]', 'NIL', ''),
    ('~@[~a~] ~a', 'NIL 2', ' 2'),
    ('~a ~* ~a', '1 2 3', '1  3'),
    ('~a ~:* ~a', '1', '1  1'),
    ('~a ~a ~1@* ~a', '1 2', '1 2  2'),
    ('~? ~a', '"<~a>" (1) 2', '<1> 2'),
    ('~@? ~a', '"<~a>" 1 2', '<1> 2'),
    ('~a~^ ~a', '1', '1'),
    ('~3,3^x', '', ''),
    ('~0^x', '', ''),
    ('~1,2,3^x', '', ''),
    ('~(~a~)', '"FOO bar"', 'foo bar'),
    ('~:(~{~a~^ ~}~)', '("aa" "bb")', 'Aa Bb'),
    ('~2~', '', '~~'),
    ('~#a', '1 2', '1 '),
    ('~va', 'NIL 1', '1'),
    ('~a', '#(1 2)', '#(1 2)'),
    ('~s', '(A "b" #\\c)', '(A "b" #\\c)'),
    ("~10,,,'-<~a~>", '1', '---------1'),
    ('~@<~a~:>', '1', '1'),
    ('~<[~;~a ~a~;]~:>', '(1 2)', '[1 2]'),
    ('~a', '1/2', '1/2'),
    ('~d', '1/2', '1/2'),
    ('~x', '1/2', '1/2'),
    ('~:@(~r~)', '12', 'TWELVE'),
    ('~:d', '-1234', '-1,234'),
    ('~@:d', '1234', '+1,234'),
    ('~10,2e', '3.14159', '   3.14e+0'),
    ('~e', '100.0', '1.0e+2'),
    ('~,4e', '1.23456e-4', '1.2346e-4'),
    ('~,2f', '9.999', '10.00'),
    ('~,1f', '-0.05', '-0.1'),
    ('~f', '100', '100.0'),
    ('~g', '0.0', '0.    '),
    ('~w', "'X", "'X"),
]


@pytest.mark.parametrize("control, args, expected", SBCL_CASES)
def test_directive_output_matches_sbcl(control, args, expected):
    assert format_to_string(control, read_all(args)) == expected


# -- behaviour SBCL's table does not show ----------------------------------------------------------

def test_e_prints_the_shortest_digits_and_rounds_up_into_a_new_exponent():
    assert format_to_string("~e", [1.5]) == "1.5e+0"
    assert format_to_string("~,2e", [9.999]) == "1.00e+1"


def test_rationals_become_floats_for_float_directives():
    assert format_to_string("~,3f", [read_all("1/3")[0]]) == "0.333"


def test_ampersand_only_starts_a_line_when_not_at_one():
    assert format_to_string("~&a~&~&b~2&c", []) == "a\nb\n\nc"


def test_newline_directives():
    assert format_to_string("x~\n      y", []) == "xy"
    assert format_to_string("x~:\n  y", []) == "x  y"
    assert format_to_string("x~@\n  y", []) == "x\ny"


def test_tabulate_uses_the_column_of_the_stream_it_writes_to():
    stream = StringOutputStream()
    stream.write_string("abc")
    format_to_stream(stream, "~6tx", [])
    assert stream.get_output_stream_string() == "abc   x"


def test_tabulate_inside_case_conversion_keeps_the_column():
    assert format_to_string("ab~(~5tX~)", []) == "ab   x"


def test_caret_inside_case_conversion_still_converts_what_was_printed():
    assert format_to_string("~{~(~a~^ ~a~)~}", [lisp_list("A")]) == "a"


def test_iteration_limit_and_at_least_once():
    assert format_to_string("~2{~a~}", [lisp_list(1, 2, 3)]) == "12"
    assert format_to_string("~{x~:}", [NIL]) == "x"
    assert format_to_string("~0{x~:}", [NIL]) == ""


def test_colon_caret_ends_the_whole_sublist_iteration():
    assert format_to_string("~:{~a~:^,~}", [read_all("((1) (2) (3))")[0]]) == "1,2,3"


def test_function_as_control_receives_the_stream_and_arguments():
    def control(stream, *args):
        stream.write_string(f"<{len(args)}>")

    assert format_to_string(control, [1, 2]) == "<2>"


def test_call_function_directive():
    seen = []
    set_function(intern("FMT-HOOK"), lambda stream, arg, colon, at, *params: (seen.append((colon, at, params)),
                                                                        stream.write_string(f"[{arg}]")))
    assert format_to_string("~3,4:/fmt-hook/", [7]) == "[7]"
    assert seen == [(T, NIL, (3, 4))]


def test_format_nil_returns_a_string_and_t_writes_to_standard_output():
    out = StringOutputStream()
    with dynamic_binding(STANDARD_OUTPUT, out):
        assert format_(T, "x=~a", 1) is NIL
    assert out.get_output_stream_string() == "x=1"
    assert str(format_(NIL, "~a", Char("c"))) == "c"


def test_format_to_a_stream():
    out = StringOutputStream()
    assert format_(out, "~s", "q") is NIL
    assert out.get_output_stream_string() == '"q"'


def test_parsed_controls_are_cached():
    assert parse_control("~a ~s") is parse_control("~a ~s")


# -- errors ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("control, args, message", [
    ("~a ~a", [1], "no more arguments"),
    ("~q", [], "unknown directive ~q"),
    ("~{~a", [NIL], "~{ has no matching ~}"),
    ("~a~]", [1], "~] has no matching opening"),
    ("~(a~;b~)", [], "~; is only allowed"),
    ("~", [], "ends inside a directive"),
    ("~c", [5], "~C needs a character"),
    ("~[a~]", ["x"], "needs an integer to select"),
    ("~:[a~]", [T], "exactly two clauses"),
    ("~5*", [1], "cannot move to argument 5"),
    ("~:@r", [5000], "from 1 to 4999"),
    ("~::a", [1], "two : modifiers"),
    ("~:^", [], "only allowed inside ~:{"),
    ("~?", [5, NIL], "not a format control"),
])
def test_bad_controls_and_arguments_are_format_errors(control, args, message):
    with pytest.raises(FormatError, match=message.replace("[", r"\[").replace("{", r"\{").replace("^", r"\^")):
        format_to_string(control, args)


def test_format_error_points_at_the_directive():
    with pytest.raises(FormatError) as info:
        format_to_string("ab ~a ~a", [1])
    assert info.value.report().endswith("ab ~a ~a\n        ^")


def test_non_string_control_is_a_format_error():
    with pytest.raises(FormatError, match="not a format control"):
        format_to_string(42, [])


@pytest.mark.parametrize("control, args", [("~-5d", [7]), ("~-2%", []), ("~,,,0:d", [1234])])
def test_negative_or_zero_counts_are_format_errors(control, args):
    with pytest.raises(FormatError, match="must be an integer >="):
        format_to_string(control, args)


def test_scale_factor_may_be_negative():
    assert format_to_string("~,2,,-1e", [12345.678]) == "0.01e+6"


from hypothesis import given, settings  # noqa: E402 - only the fuzz test below uses them
from hypothesis import strategies as st  # noqa: E402

_CONTROL = st.text(alphabet="~aAsSdDbBoOxXrRpPcCfFeEgG$%&|tT*?()[];{}^<>:@,'v#0123456789 -\n/", max_size=25)
_ARGS = st.lists(st.one_of(st.integers(-1000, 1000), st.floats(allow_nan=False, allow_infinity=False),
                           st.text(max_size=5), st.just(NIL), st.just(T), st.just(Char("x")),
                           st.lists(st.integers(0, 9), max_size=3).map(lambda xs: lisp_list(*xs))), max_size=6)


@settings(max_examples=400, deadline=None)
@given(_CONTROL, _ARGS)
def test_any_control_string_formats_or_fails_with_a_format_error(control, args):
    from lisp.runtime.condition_classes import Condition

    try:
        format_to_string(control, args)
    except Condition as e:  # FORMAT-ERROR, or e.g. UNDEFINED-FUNCTION from ~/name/
        assert type(e).__module__ == "lisp.runtime.condition_classes"


# -- the pretty printer's directives (CLHS 22.3.5) ---------------------------------------------------

def lisp_format(form: str) -> str:
    """The string ``form`` returns (FORMAT NIL makes a LispString), as a ``str``."""
    return str(lisp.evaluator.eval_string(form))


def test_logical_block_directive_prints_prefix_body_and_suffix():
    assert lisp_format('(format nil "~<[~;~a ~a~;]~:>" (list 1 2))') == "[1 2]"
    assert lisp_format('(format nil "~:<~a ~a~:>" (list 1 2))') == "(1 2)"


def test_logical_block_directive_over_the_remaining_arguments_with_at():
    assert lisp_format('(format nil "~@<~a-~a~:>" 1 2)') == "1-2"


def test_logical_block_directive_stops_at_print_length_and_dotted_tails():
    assert lisp_format('(let ((*print-length* 2)) (format nil "~<~@{~a~^ ~}~:>" (list 1 2 3)))') == "1 2 ..."
    assert lisp_format('(format nil "~<~@{~a~^ ~}~:>" (list* 1 2 3))') == "1 2 . 3"


def test_fill_newline_directive_breaks_at_the_margin():
    assert lisp_format('(let ((*print-pretty* t) (*print-right-margin* 12))'
                       ' (format nil "~<~@{~a~^ ~:_~}~:>" (loop for i below 12 collect i)))') == \
        "0 1 2 3 4 5\n6 7 8 9 10\n11"


def test_newline_directives_of_each_kind():
    body = '(let ((*print-pretty* t) (*print-right-margin* 8)) (format nil "~<~a ~{}~a ~{}~a~:>" (list "aaa" "bbb" "ccc")))'
    assert lisp_format(body.replace("~{}", "~_")) == "aaa\nbbb\nccc"  # linear: all or nothing
    assert lisp_format(body.replace("~{}", "~:@_").replace("8", "100")) == "aaa\nbbb\nccc"  # mandatory
    assert lisp_format(body.replace("~{}", "~@_")) == "aaa bbb ccc"  # miser: only in miser style


def test_fill_style_block_closing_with_colon_at_breaks_at_blanks():
    assert lisp_format('(let ((*print-pretty* t) (*print-right-margin* 2)) (format nil "~:@<~@{~a~^ ~}~:@>" 1 2 3))') \
        == "(1\n 2\n 3)"


def test_indent_directive_sets_the_indentation_of_the_next_lines():
    assert lisp_format('(let ((*print-pretty* t)) (format nil "~<ab~2I~:@_c~:>" nil))') == "ab\n  c"
    assert lisp_format('(let ((*print-pretty* t)) (format nil "~<ab~:I~:@_c~:>" nil))') == "ab\n  c"


def test_colon_t_tabs_within_the_section_and_does_nothing_outside_a_block():
    assert lisp_format('(let ((*print-pretty* t)) (format nil "~<ABC~;~2,0:T~;DEF~:>" (list 1)))') == "ABC  DEF"
    assert lisp_format('(let ((*print-pretty* t)) (format nil "XX~10:tYY"))') == "XXYY"


def test_w_directive_prints_with_the_current_settings():
    assert lisp_format('(let ((*print-length* 2)) (format nil "~w ~@w" (list 1 2 3) (list 1 2 3)))') == \
        "(1 2 ...) (1 2 3)"


def test_slash_directive_calls_a_function_named_with_its_package():
    lisp_format('(defun format-test-slash (stream arg colon at &rest params)'
                ' (format stream "[~a ~a ~a ~a]" arg colon at params))')
    assert lisp_format('(format nil "~/cl-user::format-test-slash/" 1)') == "[1 NIL NIL NIL]"
    assert lisp_format('(format nil "~3,4:@/Format-Test-Slash/" 1)') == "[1 T T (3 4)]"
    assert lisp_format('(format nil "~:/pprint-fill/" (list 1 2))') == "(1 2)"


def test_brace_with_an_empty_body_takes_the_control_from_the_arguments():
    assert lisp_format('(format nil "~{~}" "<~a>" (list 1 2))') == "<1><2>"
    assert lisp_format('(format nil "~:{~}" (formatter "~a.") (list (list 1) (list 2)))') == "1.2."


def test_brace_of_something_not_a_list_is_a_type_error():
    with pytest.raises(LispTypeError):
        format_to_string("~{~a~}", [intern("X")])


def test_justification_overflow_text_comes_first_when_the_line_is_too_long():
    assert format_to_string("~%;; ~<~:;~a~>", ["short"]) == "\n;; short"
    assert format_to_string("~<~%;; ~1,10:;~a~>", ["a long enough text"]) == "\n;; a long enough text"


def test_pretty_directives_are_not_allowed_in_a_justification():
    with pytest.raises(FormatError, match="not allowed inside"):
        format_to_string("~<XXX~1,1:TYYY~>", [])


def test_caret_compares_character_parameters():
    assert lisp_format('(format nil "~{~v,\'X^~A~}" (list 0 1 #\\x 2 nil 3 #\\X 4 0 5))') == "123"


def test_formatter_returns_the_arguments_it_did_not_use():
    assert lisp_format('(prin1-to-string (funcall (formatter "~a") (make-broadcast-stream) 1 2 3))') == "(2 3)"
