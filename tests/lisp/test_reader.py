"""The reader: standard syntax, positions, and the errors it reports."""

from fractions import Fraction

import pytest

import lisp.evaluator  # noqa: F401 - boot first: reading CL names must find the CL symbols
from lisp.runtime.arrays import BitVector
from lisp.runtime.condition_classes import EndOfFile, ReaderError
from lisp.runtime.data import (
    COMMON_LISP_USER,
    KEYWORD,
    NIL,
    SYSTEM,
    Char,
    Cons,
    SourceCons,
    SourcePos,
    Symbol,
    T,
    cl_symbol,
    intern,
    keyword,
    make_package,
)
from lisp.runtime.namespace import dynamic_binding
from lisp.runtime.pathnames import parse_namestring
from lisp.syntax.reader import (
    EOF,
    FEATURES,
    FUNCTION,
    PACKAGE_VAR,
    QUASIQUOTE,
    QUOTE,
    READ_BASE,
    READ_EVAL,
    UNQUOTE,
    UNQUOTE_NSPLICING,
    UNQUOTE_SPLICING,
    Reader,
    read_all,
    read_from_string,
)


def sym(name):
    return intern(name, COMMON_LISP_USER)


def items(lst):
    out = []
    while isinstance(lst, Cons):
        out.append(lst.car)
        lst = lst.cdr
    return out


# -- numbers -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("42", 42), ("-17", -17), ("+5", 5), ("10.", 10), ("-0", 0),
    ("123456789012345678901234567890", 123456789012345678901234567890),
])
def test_integers(text, value):
    assert read_from_string(text) == value and type(read_from_string(text)) is int


@pytest.mark.parametrize("text, value", [("1/2", Fraction(1, 2)), ("-3/4", Fraction(-3, 4)), ("+6/8", Fraction(3, 4))])
def test_ratios_are_normalised_fractions(text, value):
    assert read_from_string(text) == value


def test_ratio_with_denominator_one_is_an_integer():
    assert type(read_from_string("4/2")) is int and read_from_string("4/2") == 2


@pytest.mark.parametrize("text, value", [
    ("1.5", 1.5), (".5", 0.5), ("-.5", -0.5), ("1e3", 1000.0), ("1.5d0", 1.5), ("2f-1", 0.2),
    ("1.0s2", 100.0), ("3.25L0", 3.25), ("-0.0", -0.0), ("6.02E23", 6.02e23),
])
def test_floats_with_every_exponent_marker(text, value):
    assert read_from_string(text) == value and type(read_from_string(text)) is float


@pytest.mark.parametrize("text", ["1+", "+", "-", "1-", "1/2a", ".5a", "1.2.3", "1e", "/", "1/"])
def test_tokens_that_only_look_numeric_are_symbols(text):
    assert isinstance(read_from_string(text), Symbol)


def test_read_base_changes_integer_and_ratio_syntax_but_not_decimal_points():
    with dynamic_binding(READ_BASE, 16):
        assert read_from_string("FF") == 255
        assert read_from_string("10/A") == Fraction(16, 10)
        assert read_from_string("10.") == 10
        assert read_from_string("1.5") == 1.5


@pytest.mark.parametrize("text, value", [
    ("#xFF", 255), ("#x-1a", -26), ("#b1011", 11), ("#o777", 511), ("#36rZZ", 1295),
    ("#x1/2", Fraction(1, 2)), ("#3r-12", -5),
])
def test_radix_syntax(text, value):
    assert read_from_string(text) == value


def test_complex_syntax():
    assert read_from_string("#c(1 2)") == complex(1, 2)
    assert read_from_string("#C(1.5 -2)") == complex(1.5, -2)


def test_complex_with_rational_zero_imaginary_part_is_rational():
    assert read_from_string("#c(3 0)") == 3 and type(read_from_string("#c(3 0)")) is int


def test_float_overflow_is_a_reader_error():
    with pytest.raises(ReaderError, match="too large"):
        read_from_string("1e999")


def test_zero_denominator_is_a_reader_error():
    with pytest.raises(ReaderError, match="zero denominator"):
        read_from_string("1/0")


# -- symbols -------------------------------------------------------------------------------------

def test_symbols_are_upcased_and_interned_in_the_current_package():
    assert read_from_string("foo") is sym("FOO")
    assert read_from_string("Foo-Bar") is sym("FOO-BAR")


def test_nil_reads_as_none_and_t_as_the_cl_symbol():
    assert read_from_string("nil") is NIL
    assert read_from_string("()") is NIL
    assert read_from_string("t") is T
    assert read_from_string("cl:nil") is NIL


def test_escapes_keep_case_and_make_symbols():
    assert read_from_string("|foo|").name == "foo"
    assert read_from_string("\\foo").name == "fOO"
    assert read_from_string("a|b c|d").name == "Ab cD"
    assert read_from_string("|12|").name == "12"
    assert read_from_string("\\1").name == "1"
    assert read_from_string("|a\\|b|").name == "a|b"
    assert read_from_string("||").name == ""


def test_keywords():
    assert read_from_string(":test") is keyword("TEST")
    assert read_from_string(":test").package is KEYWORD
    assert read_from_string("keyword:foo") is keyword("FOO")


def test_package_prefixes():
    car = cl_symbol("CAR")
    assert read_from_string("cl:car") is car
    assert read_from_string("common-lisp:car") is car
    assert read_from_string("cl-user::zork") is sym("ZORK")
    assert read_from_string("sys::quasiquote") is QUASIQUOTE


def test_single_colon_needs_an_external_symbol():
    intern("HIDDEN-THING", COMMON_LISP_USER)
    with pytest.raises(ReaderError, match="not external"):
        read_from_string("cl-user:hidden-thing")


def test_unknown_package_is_a_reader_error():
    with pytest.raises(ReaderError, match="no package named NOPE"):
        read_from_string("nope:foo")


@pytest.mark.parametrize("text", ["a:b:c", "cl:", "a:::b", "cl:::car"])
def test_bad_package_markers_are_reader_errors(text):
    with pytest.raises(ReaderError, match="package markers"):
        read_from_string(text)


def test_escaped_colon_is_part_of_the_name():
    assert read_from_string("|a:b|").name == "a:b"
    assert read_from_string("a\\:b").name == "A:B"


def test_uninterned_symbols_are_fresh():
    a, b = read_from_string("#:foo"), read_from_string("#:foo")
    assert a.name == "FOO" and a.package is None and a is not b


def test_current_package_is_used_for_interning():
    pkg = make_package("READER-TEST-PKG", use=[])
    with dynamic_binding(PACKAGE_VAR, pkg):
        s = read_from_string("thing")
        assert read_from_string("nil").package is pkg  # this package does not use CL
    assert s.package is pkg


@pytest.mark.parametrize("text", [".", "...", ".."])
def test_tokens_of_only_dots_are_reader_errors(text):
    with pytest.raises(ReaderError):
        read_from_string(text)


# -- strings and characters ----------------------------------------------------------------------

def test_strings_with_escapes():
    assert read_from_string(r'"a\"b\\c\d"') == 'a"b\\cd'
    assert read_from_string('"line\nbreak"') == "line\nbreak"
    assert read_from_string('""') == ""


@pytest.mark.parametrize("text, char", [
    ("#\\a", "a"), ("#\\A", "A"), ("#\\Space", " "), ("#\\newline", "\n"), ("#\\TAB", "\t"),
    ("#\\(", "("), ("#\\)", ")"), ("#\\;", ";"), ("#\\\\", "\\"), ("#\\ ", " "), ("#\\Rubout", "\x7f"),
    ("#\\Nul", "\0"), ("#\\Linefeed", "\n"), ("#\\Return", "\r"), ("#\\Page", "\f"),
    ("#\\Backspace", "\b"), ("#\\U+41", "A"), ("#\\UE000", "\ue000"),
    ("#\\GREEK_SMALL_LETTER_ALPHA", "\u03b1"), ("#\\λ", "λ"),
])
def test_characters(text, char):
    assert read_from_string(text) is Char(char)


def test_character_followed_by_a_paren_ends_the_token():
    assert items(read_from_string("(#\\a)")) == [Char("a")]


def test_unknown_character_name_is_a_reader_error():
    with pytest.raises(ReaderError, match="unknown character name"):
        read_from_string("#\\NoSuchCharacterName")


# -- lists and structure -------------------------------------------------------------------------

def test_lists_and_nesting():
    form = read_from_string("(a (b c) () 1)")
    assert items(form)[0] is sym("A")
    assert items(items(form)[1]) == [sym("B"), sym("C")]
    assert items(form)[2] is NIL and items(form)[3] == 1


def test_dotted_pairs():
    pair = read_from_string("(a . b)")
    assert pair.car is sym("A") and pair.cdr is sym("B")
    dotted = read_from_string("(1 2 . 3)")
    assert dotted.car == 1 and dotted.cdr.car == 2 and dotted.cdr.cdr == 3


def test_dot_inside_a_token_is_not_a_consing_dot():
    assert items(read_from_string("(a .b)"))[1].name == ".B"


@pytest.mark.parametrize("text, message", [
    ("( . a)", "nothing before the dot"), ("(a . b c)", "more than one object"), ("(a . )", "missing form"),
])
def test_misplaced_dots_are_reader_errors(text, message):
    with pytest.raises(ReaderError, match=message):
        read_from_string(text)


def test_quote_and_function_shorthands():
    assert items(read_from_string("'x")) == [QUOTE, sym("X")]
    car = cl_symbol("CAR")
    assert items(read_from_string("#'car")) == [FUNCTION, car]
    assert items(read_from_string("''x"))[1].car is QUOTE


def test_backquote_comma_and_splices():
    form = read_from_string("`(a ,b ,@c ,.d)")
    assert form.car is QUASIQUOTE
    inner = items(items(form)[1])
    assert [x.car for x in inner[1:]] == [UNQUOTE, UNQUOTE_SPLICING, UNQUOTE_NSPLICING]


def test_nested_backquotes_allow_nested_commas():
    form = read_from_string("``(a ,,b)")
    assert form.car is QUASIQUOTE and form.cdr.car.car is QUASIQUOTE


def test_comma_outside_backquote_is_a_reader_error():
    with pytest.raises(ReaderError, match="comma not inside a backquote"):
        read_from_string("(a ,b)")
    with pytest.raises(ReaderError, match="comma not inside a backquote"):
        read_from_string("`(a ,,b)")


def test_vectors_are_python_lists():
    assert read_from_string("#(1 2 3)") == [1, 2, 3]
    assert read_from_string("#()") == []
    assert read_from_string("#3(a)") == [sym("A")] * 3
    assert read_from_string("#4(1 2)") == [1, 2, 2, 2]


def test_backquoted_vector_keeps_the_markers():
    vector = read_from_string("`#(a ,b)").cdr.car
    assert vector[0] is sym("A") and vector[1].car is UNQUOTE


def test_bit_vectors_read_as_simple_bit_vectors():
    bits = read_from_string("#*1011")
    assert isinstance(bits, BitVector) and bits.simple and list(bits) == [1, 0, 1, 1]
    assert list(read_from_string("#*")) == []


# -- comments and conditionals -------------------------------------------------------------------

def test_line_and_block_comments_are_skipped():
    assert items(read_from_string("(a ; comment\n b #| block #| nested |# |# c)")) == [sym("A"), sym("B"), sym("C")]


def test_comment_only_text_gives_eof():
    assert Reader("; nothing\n#| here |#  ").read() is EOF


def test_feature_expressions():
    assert read_from_string("#+gfjit 1 2") == 1
    assert read_from_string("#-gfjit 1 2") == 2
    assert read_from_string("#+(or sbcl gfjit) yes") is sym("YES")
    assert read_from_string("#+(and gfjit (not sbcl)) yes") is sym("YES")
    assert read_from_string("#+(and) 1 2") == 1
    assert read_from_string("#+(or) 1 2") == 2


def test_features_come_from_the_special_variable():
    with dynamic_binding(FEATURES, Cons(keyword("SOMETHING"), NIL)):
        assert read_from_string("#+something 1 2") == 1
        assert read_from_string("#+gfjit 1 2") == 2


def test_skipped_form_is_not_interned_nor_checked():
    assert items(read_from_string("(a #+sbcl (sb-ext:quit no:such) b)")) == [sym("A"), sym("B")]
    assert COMMON_LISP_USER.find_symbol("NEVER-INTERNED-HERE")[0] is None
    read_from_string("#-gfjit never-interned-here 1")
    assert COMMON_LISP_USER.find_symbol("NEVER-INTERNED-HERE")[0] is None


def test_read_eval_is_refused_when_read_eval_is_nil():
    with dynamic_binding(READ_EVAL, NIL):
        with pytest.raises(ReaderError, match=r"\*READ-EVAL\*"):
            read_from_string("#.(+ 1 2)")


# -- labels --------------------------------------------------------------------------------------

def test_labels_share_structure():
    form = read_from_string("(#1=(x) #1#)")
    assert form.car is form.cdr.car


def test_labels_make_circular_lists():
    form = read_from_string("#1=(a b . #1#)")
    assert form.cdr.cdr is form


def test_labels_inside_vectors():
    vector = read_from_string("#1=#(1 #1#)")
    assert vector[1] is vector


def test_undefined_label_is_a_reader_error():
    with pytest.raises(ReaderError, match="#2#"):
        read_from_string("(#1=a #2#)")


# -- positions -----------------------------------------------------------------------------------

def test_forms_carry_their_file_line_and_column():
    forms = read_all("(a)\n  (b\n   (c))", file="f.lisp")
    assert [f.pos for f in forms] == [SourcePos("f.lisp", 1, 1), SourcePos("f.lisp", 2, 3)]
    assert items(forms[1])[1].pos == SourcePos("f.lisp", 3, 4)


def test_every_cons_of_a_list_is_a_source_cons_at_its_element():
    form = read_from_string("(a\n bb)", file="x")
    assert isinstance(form.cdr, SourceCons) and form.cdr.pos == SourcePos("x", 2, 2)


def test_quote_form_has_the_position_of_the_quote():
    assert read_from_string("  'x").pos == SourcePos("<string>", 1, 3)


def test_reader_can_start_at_a_given_line_and_column():
    reader = Reader("(a)\n(b)", "<repl>", line=3, column=5)
    assert reader.read().pos == SourcePos("<repl>", 3, 5)
    assert reader.read().pos == SourcePos("<repl>", 4, 1)


# -- incremental reading and errors --------------------------------------------------------------

def test_reader_reads_forms_one_at_a_time_and_tracks_the_offset():
    reader = Reader("1 (a) \"s\" ")
    assert reader.read() == 1 and reader.offset == 1
    reader.read()
    assert reader.offset == 5
    assert reader.read() == "s"
    assert reader.read() is EOF


def test_read_all_reads_every_form():
    assert read_all("1 2 3") == [1, 2, 3]


@pytest.mark.parametrize("text", ["(a b", "(a (b)", '"abc', "#|x", "'", "`(", "#(1", "|ab", "a\\", "#\\", "#", "(a . "])
def test_incomplete_input_is_end_of_file(text):
    with pytest.raises(EndOfFile):
        read_from_string(text)


def test_end_of_file_says_where_the_open_form_started():
    with pytest.raises(EndOfFile) as info:
        read_from_string("\n  (defun f (x)\n  (g x)", file="f.lisp")
    assert info.value.pos == SourcePos("f.lisp", 2, 3)
    assert "f.lisp:2:3" in str(info.value)


def test_stray_close_paren_is_a_reader_error_not_end_of_file():
    with pytest.raises(ReaderError) as info:
        read_from_string("  )", file="f.lisp")
    assert not isinstance(info.value, EndOfFile)
    assert info.value.pos == SourcePos("f.lisp", 1, 3)


def test_reader_continues_after_a_stray_close_paren():
    reader = Reader(") 7")
    with pytest.raises(ReaderError):
        reader.read()
    assert reader.read() == 7


def test_empty_text_is_end_of_file():
    with pytest.raises(EndOfFile):
        read_from_string("   ")


@pytest.mark.parametrize("text, message", [
    ("#<foo>", "unreadable"), ("#z", "no # dispatch"), ("#)", "not valid"), ("#2'a", "numeric argument"),
    ("#r10", "radix"), ("#xZZ", "not a rational"), ("#c(1)", "two real numbers"), ("#1=#1#", "only to itself"),
    ("#+(foo bar) 1", "bad feature expression"), ("#2(1 2 3)", "more than 2"), ("#*102", "binary digits"),
])
def test_bad_dispatch_syntax_is_a_reader_error(text, message):
    with pytest.raises(ReaderError, match=message):
        read_from_string(text)


def test_reader_error_names_file_line_and_column():
    with pytest.raises(ReaderError) as info:
        read_from_string("(a\n  #z)", file="g.lisp")
    assert info.value.pos == SourcePos("g.lisp", 2, 3)
    assert "g.lisp:2:3" in str(info.value)


def test_system_symbols_live_in_the_system_package():
    assert QUASIQUOTE.package is SYSTEM and UNQUOTE.package is SYSTEM


def test_too_deep_nesting_is_a_reader_error_not_a_crash():
    with pytest.raises(ReaderError, match="nested too deeply"):
        read_from_string("(" * 100_000 + ")" * 100_000)


def test_pathname_syntax_reads_a_pathname():
    assert read_from_string('#p"/tmp/x.lisp"') is parse_namestring("/tmp/x.lisp")
    with pytest.raises(ReaderError, match="#P must be followed by a string"):
        read_from_string("#p foo")


def test_read_eval_evaluates_the_form():
    assert read_from_string("(a #.(+ 1 2))").cdr.car == 3


from hypothesis import given, settings  # noqa: E402 - the fuzz tests below are the only users
from hypothesis import strategies as st  # noqa: E402

_SYNTAX = st.text(alphabet="()'`,@#\\|\";.:+-/ \n0123456789abcxXeEfF=*<>!?_^", max_size=40)


@settings(max_examples=400, deadline=None)
@given(_SYNTAX)
def test_any_text_reads_or_fails_with_a_reader_condition(text):
    from lisp.runtime.condition_classes import Condition

    reader = Reader(text)
    try:
        with dynamic_binding(READ_EVAL, NIL):
            while reader.read() is not EOF:
                pass
    except (ReaderError, EndOfFile):
        pass
    except Condition as e:  # e.g. a package error from a symbol prefix: still a Lisp condition
        assert type(e).__module__ == "lisp.runtime.condition_classes"


def test_the_reader_tells_where_the_last_form_began():
    reader = Reader("  ; comment\n #| x |# foo bar", "<repl>")
    assert reader.read() is sym("FOO")
    assert reader.pos_at(reader.form_start) == SourcePos("<repl>", 2, 10)


def test_integers_of_any_length_read():
    digits = "7" * 9000
    assert read_from_string(digits) == sum(7 * 10 ** k for k in range(9000))  # int(digits) would refuse
    assert read_from_string("-" + digits + ".") < 0
    assert read_from_string(digits + "/7") == sum(10 ** k for k in range(9000))


# -- errors name their stream; *read-suppress* ---------------------------------------------------

def lisp_value(text: str):
    return lisp.evaluator.eval_string(text, file="<test_reader>")


@pytest.mark.parametrize("form", [
    '(with-input-from-string (s ")") (read s))',
    '(with-input-from-string (s "#<foo>") (read-preserving-whitespace s))',
    '(read-from-string "(a . b c)")',
    '(read-from-string "#3P\\"x\\"")',
])
def test_a_reader_error_names_the_stream_read(form):
    assert lisp_value(f"(handler-case {form} (reader-error (c) (streamp (stream-error-stream c))))") is T


@pytest.mark.parametrize("form", [
    '(with-input-from-string (s "(a b") (read s))',
    '(read-from-string "\\"abc")',
    '(with-input-from-string (s "(") (read-preserving-whitespace s nil))',
])
def test_end_of_file_inside_a_form_names_the_stream_read(form):
    assert lisp_value(f"(handler-case {form} (end-of-file (c) (streamp (stream-error-stream c))))") is T


def test_the_stream_named_is_the_one_given():
    assert lisp_value('(with-input-from-string (s ")") (handler-case (read s) (reader-error (c)'
                      ' (eq s (stream-error-stream c)))))') is T


@pytest.mark.parametrize("text", ["#3P\"x\"", "#b102", "#0b0", "#r.", "#1R9", "#0'F", "#1000000'F", "#0\\ ",
                                  "#0:1/2", "#0.1", "#garbage", "#1=nil", "#=nil", "#c(1 2 3)", "#0c(1 2)",
                                  "#\\boguscharname", "#100#", "(#1=nil #1=nil)"])
def test_with_read_suppress_every_dispatch_reads_as_nil(text):
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    assert lisp_value(f'(let ((*read-suppress* t)) (prin1-to-string (multiple-value-list (read-from-string "{escaped}"))))') \
        == f"(NIL {len(text)})"


def test_with_read_suppress_an_unreadable_object_is_still_an_error():
    assert lisp_value('(handler-case (let ((*read-suppress* t)) (read-from-string "#<x>"))'
                      ' (reader-error () :error))') is keyword("ERROR")


def test_with_read_suppress_a_misplaced_dot_in_a_list_is_no_error():
    assert lisp_value('(let ((*read-suppress* t)) (prin1-to-string (list (multiple-value-list (read-from-string "(.)"))'
                      ' (multiple-value-list (read-from-string "(a . b c)")))))') == "((NIL 3) (NIL 9))"


def test_sharp_p_takes_a_string_a_program_made():
    assert lisp_value('(namestring (read-from-string "#p#.(copy-seq \\"/a/b.lisp\\")"))') == "/a/b.lisp"


def test_readtables_are_of_type_readtable():
    assert lisp_value("(prin1-to-string (list (typep *readtable* 'readtable) (typep 3 'readtable)"
                      " (type-of (copy-readtable))))") == "(T NIL READTABLE)"
