"""The swank wire codec: s-expressions as Emacs prints and reads them, framed by a six-digit
hexadecimal length of their UTF-8 bytes; every malformed message is a ProtocolError."""

from __future__ import annotations

import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lisp.swank.wire import (
    PROTOCOL_LIMIT,
    ConnectionClosed,
    DottedList,
    ProtocolError,
    WireSymbol,
    encode_message,
    keyword,
    parse_header,
    read_message,
    read_sexp,
    write_sexp,
)


def test_a_request_from_emacs_reads_as_lists_symbols_strings_and_numbers() -> None:
    text = '(:emacs-rex (swank:connection-info) "COMMON-LISP-USER" t 1)'
    assert read_sexp(text) == [keyword("emacs-rex"), [WireSymbol("swank:connection-info")], "COMMON-LISP-USER",
                               True, 1]


def test_nil_and_the_empty_list_read_as_none_and_an_empty_list() -> None:
    assert read_sexp("(nil ())") == [None, []]


def test_a_quote_reads_as_a_quote_form() -> None:
    assert read_sexp("'(a)") == [WireSymbol("quote"), [WireSymbol("a")]]


def test_strings_keep_escaped_quotes_backslashes_and_newlines() -> None:
    assert read_sexp('"a\\"b\\\\c\nd"') == 'a"b\\c\nd'


def test_a_dotted_list_reads_with_its_tail() -> None:
    assert read_sexp("(a b . c)") == DottedList([WireSymbol("a"), WireSymbol("b")], WireSymbol("c"))


def test_floats_and_signed_integers_read_as_numbers() -> None:
    assert read_sexp("(-3 +4 1.5 .5 2e3)") == [-3, 4, 1.5, 0.5, 2000.0]


def test_an_escaped_character_keeps_a_token_a_symbol() -> None:
    assert read_sexp("asdf3\\.3") == WireSymbol("asdf3.3")


def test_none_true_and_false_are_written_as_nil_and_t() -> None:
    assert write_sexp([None, True, False]) == "(nil t nil)"


def test_a_string_is_written_with_its_quotes_and_backslashes_escaped() -> None:
    assert write_sexp('say "hi" \\ ok') == '"say \\"hi\\" \\\\ ok"'


def test_a_message_is_its_utf8_length_in_six_hex_digits_then_the_payload() -> None:
    assert encode_message("é") == b'000004"\xc3\xa9"'


_values = st.recursive(
    st.none() | st.booleans().map(lambda b: b or None) | st.integers() | st.text()
    | st.sampled_from([WireSymbol("foo"), keyword("ok"), WireSymbol("swank:autodoc")]),
    lambda children: st.lists(children, max_size=5), max_leaves=30)


@settings(deadline=None)  # a time limit per example fails on a loaded machine, not on a bug
@given(_values)
def test_whatever_is_written_reads_back_the_same(value: object) -> None:
    expected = [] if value == [] else value
    assert read_sexp(write_sexp(value)) == expected


def test_nesting_far_deeper_than_the_recursion_limit_reads_and_writes() -> None:
    deep = "(" * 200_000 + ")" * 200_000
    assert write_sexp(read_sexp(deep)) == deep


@pytest.mark.parametrize("text, complaint", [
    ("(a", "ends inside"),
    (")", "unbalanced"),
    ("(a . )", "nothing after"),
    ("(. a)", "outside"),
    ("(a . b c)", "more than one"),
    ('"abc', "not closed"),
    ("(a ')", "unbalanced or misplaced"),
    ("", "empty"),
    ("a b", "text after"),
])
def test_a_malformed_s_expression_is_a_protocol_error_saying_what(text: str, complaint: str) -> None:
    with pytest.raises(ProtocolError, match=complaint):
        read_sexp(text)


@pytest.mark.parametrize("header", [b"00001g", b"      ", b"-00001", b"0x0010"])
def test_a_header_that_is_not_six_hex_digits_is_a_protocol_error(header: bytes) -> None:
    with pytest.raises(ProtocolError, match="six hexadecimal digits"):
        parse_header(header, 100)


def test_a_header_announcing_more_than_the_limit_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="over the limit of 100"):
        parse_header(b"000065", 100)


def test_a_message_too_large_for_the_header_cannot_be_encoded() -> None:
    with pytest.raises(ProtocolError, match="over the limit"):
        encode_message("x" * PROTOCOL_LIMIT)


def test_reading_stops_at_the_end_of_the_stream_between_messages() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.sendall(encode_message(1))
        left.close()
        assert read_message(right, 100) == 1
        with pytest.raises(ConnectionClosed):
            read_message(right, 100)


def test_a_stream_that_ends_inside_a_message_is_a_protocol_error() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.sendall(b"000010(abc")
        left.close()
        with pytest.raises(ProtocolError, match="closed inside a message"):
            read_message(right, 100)


def test_a_payload_that_is_not_utf8_is_a_protocol_error() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.sendall(b"000002\xff\xfe")
        with pytest.raises(ProtocolError, match="not UTF-8"):
            read_message(right, 100)
