"""Streams: column tracking, string streams, host streams and stream designators."""

import io

import pytest

from lisp.runtime.condition_classes import LispTypeError, StreamError
from lisp.runtime.data import NIL, T
from lisp.runtime.namespace import dynamic_binding
from lisp.runtime.streams import (
    STANDARD_OUTPUT,
    TERMINAL_IO,
    HostInputStream,
    HostOutputStream,
    InputStream,
    StringOutputStream,
    input_stream,
    output_stream,
    stdout_stream,
    terminal_stream,
)


def test_column_counts_characters_since_the_last_newline():
    out = StringOutputStream()
    out.write_string("abc")
    assert out.column == 3
    out.write_string("de\nf")
    assert out.column == 1


def test_fresh_line_writes_a_newline_only_mid_line():
    out = StringOutputStream()
    assert out.fresh_line() is False
    out.write_string("x")
    assert out.fresh_line() is True
    assert out.get_output_stream_string() == "x\n"


def test_get_output_stream_string_empties_the_stream():
    out = StringOutputStream()
    out.write_string("a")
    assert out.get_output_stream_string() == "a"
    assert out.get_output_stream_string() == ""


def test_writing_to_a_closed_stream_is_a_stream_error():
    out = StringOutputStream()
    out.close()
    with pytest.raises(StreamError, match="closed"):
        out.write_string("x")


def test_host_stream_follows_sys_stdout_when_it_is_replaced(capsys):
    stdout_stream.write_string("hello")
    assert capsys.readouterr().out == "hello"


def test_host_output_stream_over_a_file_object():
    buffer = io.StringIO()
    stream = HostOutputStream(buffer, "buffer")
    stream.write_string("a\nbc")
    assert buffer.getvalue() == "a\nbc" and stream.column == 2


def test_string_input_stream_reads_chars_and_lines():
    stream = InputStream("ab\ncd")
    assert stream.peek_char() == "a"
    assert stream.read_char() == "a"
    stream.unread_char("a")
    assert stream.read_line() == ("ab", False)
    assert stream.read_line() == ("cd", True)
    assert stream.read_line() is None and stream.read_char() is None


def test_unreading_a_character_that_was_not_read_is_a_stream_error():
    stream = InputStream("ab")
    stream.read_char()
    with pytest.raises(StreamError):
        stream.unread_char("b")


def test_host_input_stream_reads_lines_on_demand():
    stream = HostInputStream(io.StringIO("one\ntwo\n"), "input")
    assert stream.read_line() == ("one", False)
    assert stream.read_char() == "t"
    assert stream.read_line() == ("wo", False)
    assert stream.read_line() is None


def test_designators_nil_and_t():
    out = StringOutputStream()
    with dynamic_binding(STANDARD_OUTPUT, out):
        assert output_stream(NIL) is out
    assert output_stream(T) is terminal_stream
    assert input_stream(T) is terminal_stream


def test_terminal_io_shares_the_column_of_its_output(capsys):
    stdout_stream.write_string("\nabc")
    assert terminal_stream.column == 3
    terminal_stream.write_string("de")
    assert stdout_stream.column == 5
    capsys.readouterr()


def test_a_non_stream_is_a_type_error():
    with pytest.raises(LispTypeError, match="not an output stream"):
        output_stream(42)
    with pytest.raises(LispTypeError, match="not an input stream"):
        input_stream(StringOutputStream())


def test_terminal_io_is_bound_to_a_two_way_stream():
    from lisp.runtime.namespace import symbol_value

    assert symbol_value(TERMINAL_IO) is terminal_stream
