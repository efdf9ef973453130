"""The Lisp functions of reading, printing, ``format`` and streams (CLHS 21-23), over the Python APIs
of :mod:`lisp.syntax.reader`, :mod:`lisp.syntax.printer`, :mod:`lisp.syntax.format` and :mod:`lisp.runtime.streams`.

Also readtables (``set-macro-character`` & co), the macros ``with-input-from-string``,
``with-open-file``, ``with-open-stream``, ``print-unreadable-object`` and ``formatter``, and ``open``
on files named by pathname designators (``lisp.library.pathnames``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from lisp.compiler.macros import QUOTE, macro
from lisp.compiler.standard_macros import split_declarations
from lisp.clos.builtin import define_built_in_class
from lisp.library.arguments import check, expected, function_designator, keywords, show, string_argument, truth
from lisp.library.pathnames import native_namestring
from lisp.runtime.arrays import LispVector, is_string, make_string, string_text
from lisp.runtime.condition_classes import (
    Condition,
    EndOfFile,
    FileError,
    PrintNotReadable,
    ProgramError,
    ReaderError,
)
from lisp.runtime.data import (
    COMMON_LISP,
    NIL,
    SYSTEM,
    Char,
    Cons,
    Symbol,
    T,
    cl_symbol,
    iter_list,
    keyword,
    make_list,
)
from lisp.runtime.data import lisp_list as L
from lisp.runtime.namespace import GLOBALS, builtin, get_function, setf_function_key, symbol_value
from lisp.runtime.signals import raise_error
from lisp.runtime.streams import (
    BroadcastStream,
    HostInputStream,
    HostOutputStream,
    InputStream,
    OutputStream,
    Stream,
    StringOutputStream,
    TwoWayStream,
    input_stream,
    output_stream,
)
from lisp.runtime.values import values
from lisp.syntax import printer
from lisp.syntax.format import format_
from lisp.syntax.format import formatter as make_formatter
from lisp.syntax.reader import (
    EOF,
    STANDARD_READTABLE,
    WHITESPACE,
    Reader,
    ReaderStream,
    Readtable,
    current_readtable,
    handler_as_function,
    lisp_dispatch_handler,
    lisp_macro_handler,
)

F = TypeVar("F", bound=Callable[..., Any])


def lisp_function(name: str, package: Any = COMMON_LISP) -> Callable[[F], F]:
    """``@builtin`` for the functions here, which also signal (CLHS 9.1) a condition the Python
    layers below raise, so that HANDLER-BIND handlers run before the Lisp caller is unwound."""
    def register(fn: F) -> F:
        @functools.wraps(fn)
        def signalling(*args: Any) -> Any:
            try:
                return fn(*args)
            except Condition as condition:
                if condition.signalled:
                    raise
                return raise_error(condition)

        builtin(name, package)(signalling)
        return fn

    return register


# -- reading ---------------------------------------------------------------------------------------


@contextmanager
def _naming_stream(stream: Any) -> Iterator[None]:
    """A READER-ERROR or END-OF-FILE the reader raises reading ``stream`` names it (CLHS
    STREAM-ERROR-STREAM); the reader itself reads text and knows of no stream."""
    try:
        yield
    except (ReaderError, EndOfFile) as error:
        error.slots.setdefault("STREAM", stream)
        raise


def _read_form(designator: Any, eof_error_p: Any, eof_value: Any, preserve_whitespace: bool = False) -> Any:
    """The next form of an input stream, reading more of its source while the form is incomplete.

    Unless ``preserve_whitespace``, one whitespace character after the form is consumed (CLHS READ).
    """
    stream = input_stream(designator)
    with _naming_stream(stream):
        return _read_from(stream, eof_error_p, eof_value, preserve_whitespace)


def _read_from(stream: Any, eof_error_p: Any, eof_value: Any, preserve_whitespace: bool) -> Any:
    source = stream.input if isinstance(stream, TwoWayStream) else stream
    source._check_open()
    if isinstance(source, ReaderStream):  # READ inside a reader macro: continue the same reader
        reader = source.reader
        reader.offset = source.index
        form = reader.read_form("a form read by a reader macro", source.index)
        source.index = reader.offset
        return form
    while True:
        reader = _reader_at(source)
        try:
            form = reader.read()
        except EndOfFile:
            if source.fill_buffer():
                continue
            raise
        if form is EOF:
            if source.fill_buffer():
                continue
            source.index = len(source.text)
            if eof_error_p is not NIL:
                raise_error(EndOfFile(f"end of file on {show(stream)}", stream=stream))
            return eof_value
        source.index = reader.offset
        if not preserve_whitespace and source.peek_char() in WHITESPACE:
            source.index += 1
        return form


def _reader_at(source: InputStream) -> Reader:
    """A reader over the stream's buffer at the stream's index. It is kept while the buffer is the
    same string, so reading many forms from one long string neither copies nor rescans it."""
    reader = source.reader_cache
    if reader is None or reader.text is not source.text:
        reader = source.reader_cache = Reader(source.text, getattr(source, "name", "<stream>"))
    reader.offset = source.index
    return reader


@lisp_function("READ")
def read(stream: Any = NIL, eof_error_p: Any = T, eof_value: Any = NIL, recursive_p: Any = NIL) -> Any:
    """``read``: the next form of the stream (``*standard-input*`` by default)."""
    return _read_form(stream, eof_error_p, eof_value)


@lisp_function("READ-PRESERVING-WHITESPACE")
def read_preserving_whitespace(stream: Any = NIL, eof_error_p: Any = T, eof_value: Any = NIL,
                               recursive_p: Any = NIL) -> Any:
    return _read_form(stream, eof_error_p, eof_value, preserve_whitespace=True)


@lisp_function("READ-FROM-STRING")
def read_from_string(string: Any, eof_error_p: Any = T, eof_value: Any = NIL, *args: Any) -> Any:
    """``read-from-string``: two values, the form and the index after it."""
    string = string_argument(string)
    kw = keywords(args, ("START", "END", "PRESERVE-WHITESPACE"), "READ-FROM-STRING")
    start, end = _bounds(string, kw)
    stream = InputStream(string, start, end)
    form = _read_form(stream, eof_error_p, eof_value, kw.get("PRESERVE-WHITESPACE", NIL) is not NIL)
    return values(form, stream.index)


def _bounds(string: str | list[Any], kw: dict[str, Any]) -> tuple[int, int]:
    start = kw.get("START", 0)
    end = kw.get("END", NIL)
    end = len(string) if end is NIL else end
    for bound in (start, end):
        check(type(bound) is int and 0 <= bound <= len(string), bound,
              make_list([cl_symbol("INTEGER"), 0, len(string)]))
    if start > end:
        raise_error(ProgramError(f":START {start} is after :END {end}"))
    return start, end


def _eof(stream: Any, eof_error_p: Any, eof_value: Any) -> Any:
    if eof_error_p is not NIL:
        raise_error(EndOfFile(f"end of file on {show(stream)}", stream=stream))
    return eof_value


@lisp_function("READ-LINE")
def read_line(stream: Any = NIL, eof_error_p: Any = T, eof_value: Any = NIL, recursive_p: Any = NIL) -> Any:
    """``read-line``: two values, the line and whether end of file (not a newline) ended it."""
    source = input_stream(stream)
    found = source.read_line()
    if found is None:
        return values(_eof(source, eof_error_p, eof_value), T)
    line, missing_newline = found
    return values(line, truth(missing_newline))


@lisp_function("READ-CHAR")
def read_char(stream: Any = NIL, eof_error_p: Any = T, eof_value: Any = NIL, recursive_p: Any = NIL) -> Any:
    source = input_stream(stream)
    char = source.read_char()
    return _eof(source, eof_error_p, eof_value) if char is None else Char(char)


lisp_function("READ-CHAR-NO-HANG")(read_char)


@lisp_function("PEEK-CHAR")
def peek_char(peek_type: Any = NIL, stream: Any = NIL, eof_error_p: Any = T, eof_value: Any = NIL,
              recursive_p: Any = NIL) -> Any:
    """``peek-char``: NIL peeks, T skips whitespace first, a character skips up to that character."""
    source = input_stream(stream)
    while True:
        char = source.peek_char()
        if char is None:
            return _eof(source, eof_error_p, eof_value)
        if peek_type is NIL or (peek_type is T and not char.isspace()) or \
                (isinstance(peek_type, Char) and peek_type.char == char):
            return Char(char)
        source.read_char()


@lisp_function("UNREAD-CHAR")
def unread_char(char: Any, stream: Any = NIL) -> Any:
    check(isinstance(char, Char), char, expected("CHARACTER"))
    input_stream(stream).unread_char(char.char)
    return NIL


@lisp_function("LISTEN")
def listen(stream: Any = NIL) -> Any:
    """Whether a character is available without waiting (only what is buffered counts)."""
    source = input_stream(stream)
    source = source.input if isinstance(source, TwoWayStream) else source
    return truth(source.index < len(source.text))


@lisp_function("CLEAR-INPUT")
def clear_input(stream: Any = NIL) -> Any:
    input_stream(stream)
    return NIL


@lisp_function("READ-DELIMITED-LIST")
def read_delimited_list(char: Any, stream: Any = NIL, recursive_p: Any = NIL) -> Any:
    """The forms up to ``char`` as a list (the idiom of reader macros such as ``[...]``)."""
    check(isinstance(char, Char), char, expected("CHARACTER"))
    designated = input_stream(stream)
    with _naming_stream(designated):
        return _read_delimited(char, designated.input if isinstance(designated, TwoWayStream) else designated)


def _read_delimited(char: Char, source: InputStream) -> Any:
    if isinstance(source, ReaderStream):
        reader = source.reader
        reader.offset = source.index
        result = reader.read_list(max(source.index - 1, 0), char.char)
        source.index = reader.offset
        return result
    while True:
        reader = _reader_at(source)
        try:
            result = reader.read_list(source.index, char.char)
        except EndOfFile:
            if source.fill_buffer():
                continue
            raise
        source.index = reader.offset
        return result


# -- readtables ------------------------------------------------------------------------------------

_CURRENT = object()  # an omitted readtable argument (NIL given means the standard readtable)


define_built_in_class("READTABLE", Readtable)


def _table_of(designator: Any) -> Readtable:
    """A readtable designator: NIL is the standard readtable; omitted is ``*readtable*``."""
    if designator is _CURRENT:
        return current_readtable()
    if designator is NIL:
        return STANDARD_READTABLE
    check(isinstance(designator, Readtable), designator, expected("READTABLE"))
    return designator


@lisp_function("READTABLEP")
def readtablep(obj: Any) -> Any:
    return truth(isinstance(obj, Readtable))


@lisp_function("COPY-READTABLE")
def copy_readtable(source: Any = _CURRENT, target: Any = NIL) -> Any:
    """A copy of ``source`` (the current readtable by default, NIL for the standard one); into
    ``target`` when given."""
    table = _table_of(source).copy()
    if target is NIL:
        return table
    check(isinstance(target, Readtable), target, expected("READTABLE"))
    target.check_modifiable()
    vars(target).update(vars(table))
    return target


@lisp_function("READTABLE-CASE")
def readtable_case(table: Any) -> Any:
    check(isinstance(table, Readtable), table, expected("READTABLE"))
    return table.case


def _set_readtable_case(case: Any, table: Any) -> Any:
    check(isinstance(table, Readtable), table, expected("READTABLE"))
    table.set_case(case)
    return case


GLOBALS[setf_function_key(cl_symbol("READTABLE-CASE"))] = _set_readtable_case


@lisp_function("SET-MACRO-CHARACTER")
def set_macro_character(char: Any, function: Any, non_terminating_p: Any = NIL, readtable: Any = _CURRENT) -> Any:
    check(isinstance(char, Char), char, expected("CHARACTER"))
    table = _table_of(readtable)
    fn = function_designator(function)
    handler = getattr(fn, "handler", None) or lisp_macro_handler(fn)
    table.set_macro(char.char, handler, non_terminating_p is NIL)
    table.lisp_functions[handler] = fn
    return T


@lisp_function("GET-MACRO-CHARACTER")
def get_macro_character(char: Any, readtable: Any = _CURRENT) -> Any:
    """Two values: the macro function of ``char`` (NIL if none) and whether it is non-terminating."""
    check(isinstance(char, Char), char, expected("CHARACTER"))
    table = _table_of(readtable)
    entry = table.macros.get(char.char)
    if entry is None:
        return values(NIL, NIL)
    handler, terminating = entry
    fn = table.lisp_functions.get(handler) or handler_as_function(handler, dispatch=False)
    return values(fn, truth(not terminating))


@lisp_function("MAKE-DISPATCH-MACRO-CHARACTER")
def make_dispatch_macro_character(char: Any, non_terminating_p: Any = NIL, readtable: Any = _CURRENT) -> Any:
    check(isinstance(char, Char), char, expected("CHARACTER"))
    table = _table_of(readtable)
    table.make_dispatching(char.char, non_terminating_p is NIL)
    return T


def _dispatch_table(table: Readtable, char: Any, sub_char: Any) -> dict[str, Any]:
    check(isinstance(char, Char), char, expected("CHARACTER"))
    check(isinstance(sub_char, Char), sub_char, expected("CHARACTER"))
    found = table.dispatch.get(char.char)
    if found is None:
        raise_error(ReaderError(f"{show(char)} is not a dispatching macro character"))
    if sub_char.char.isdigit():
        raise_error(ReaderError(f"a decimal digit ({show(sub_char)}) cannot be a dispatch sub-character"))
    return found


@lisp_function("SET-DISPATCH-MACRO-CHARACTER")
def set_dispatch_macro_character(char: Any, sub_char: Any, function: Any, readtable: Any = _CURRENT) -> Any:
    table = _table_of(readtable)
    dispatch = _dispatch_table(table, char, sub_char)
    table.check_modifiable()
    fn = function_designator(function)
    handler = getattr(fn, "handler", None) or lisp_dispatch_handler(fn)
    dispatch[sub_char.char.upper()] = handler
    table.lisp_functions[handler] = fn
    return T


@lisp_function("GET-DISPATCH-MACRO-CHARACTER")
def get_dispatch_macro_character(char: Any, sub_char: Any, readtable: Any = _CURRENT) -> Any:
    table = _table_of(readtable)
    handler = _dispatch_table(table, char, sub_char).get(sub_char.char.upper())
    if handler is None:
        return NIL
    return table.lisp_functions.get(handler) or handler_as_function(handler, dispatch=True)


@lisp_function("SET-SYNTAX-FROM-CHAR")
def set_syntax_from_char(to_char: Any, from_char: Any, to_readtable: Any = _CURRENT,
                         from_readtable: Any = NIL) -> Any:
    """Give ``to-char`` the macro definition (or constituent syntax) ``from-char`` has."""
    check(isinstance(to_char, Char), to_char, expected("CHARACTER"))
    check(isinstance(from_char, Char), from_char, expected("CHARACTER"))
    target = _table_of(to_readtable)
    source = _table_of(from_readtable)
    target.check_modifiable()
    entry = source.macros.get(from_char.char)
    if entry is None:
        target.macros.pop(to_char.char, None)
        target.dispatch.pop(to_char.char, None)
        target.token_end = target._token_end()
    else:
        target.set_macro(to_char.char, *entry)
        if from_char.char in source.dispatch:
            target.dispatch[to_char.char] = dict(source.dispatch[from_char.char])
    return T


# -- printing --------------------------------------------------------------------------------------

_WRITE_KEYS = {name.upper().replace("_", "-"): name for name in printer.OPTIONS}


@lisp_function("WRITE")
def write(obj: Any, *args: Any) -> Any:
    """``write`` with ``:stream`` and the ``*print-...*`` keyword options."""
    kw = keywords(args, ("STREAM", *_WRITE_KEYS), "WRITE")
    options = {_WRITE_KEYS[k]: v for k, v in kw.items() if k in _WRITE_KEYS}
    return printer.write(obj, kw.get("STREAM", NIL), **options)


@lisp_function("WRITE-TO-STRING")
def write_to_string(obj: Any, *args: Any) -> Any:
    kw = keywords(args, tuple(_WRITE_KEYS), "WRITE-TO-STRING")
    return printer.write_to_string(obj, **{_WRITE_KEYS[k]: v for k, v in kw.items() if k in _WRITE_KEYS})


lisp_function("PRIN1")(printer.prin1)
lisp_function("PRINC")(printer.princ)
lisp_function("PRINT")(printer.print_)
lisp_function("PRIN1-TO-STRING")(printer.prin1_to_string)
lisp_function("PRINC-TO-STRING")(printer.princ_to_string)
lisp_function("FORMAT")(format_)


@lisp_function("%PRINT-UNREADABLE-OBJECT", SYSTEM)
def print_unreadable_object(obj: Any, stream: Any, type_p: Any, identity_p: Any, body: Any) -> Any:
    """The runtime of ``print-unreadable-object``: ``#<type body {identity}>``."""
    out = output_stream(stream)
    if symbol_value(printer.OPTIONS["readably"][0]) is not NIL:
        raise_error(PrintNotReadable(f"{show(type(obj).__name__)} cannot be printed readably", object=obj))
    out.write_string("#<")
    # Spaces as SBCL puts them: the type is always followed by one ("#<FIXNUM >"), the identity
    # preceded by one unless it follows the type's.
    if type_p is not NIL:
        out.write_string(printer.prin1_to_string(get_function(cl_symbol("TYPE-OF"))(obj)) + " ")
    if body is not NIL:
        body()
    if identity_p is not NIL:
        if body is not NIL or type_p is NIL:
            out.write_string(" ")
        out.write_string(f"{{{id(obj):X}}}")
    out.write_string(">")
    return NIL


def _query(control: Any, args: tuple[Any, ...], choices: str, answers: dict[str, bool], retry: str) -> Any:
    """Ask on ``*query-io*`` until one of ``answers`` (compared case-insensitively) is typed."""
    stream = input_stream(symbol_value(cl_symbol("*QUERY-IO*")))
    out = output_stream(stream) if stream.is_output else output_stream(NIL)
    while True:
        out.fresh_line()
        if control is not NIL:
            format_(out, control, *args)
        out.write_string(f" {choices} ")
        out.finish_output()
        found = stream.read_line()
        if found is None:
            raise_error(EndOfFile(f"end of file on {show(stream)} while asking {choices}", stream=stream))
        answer = found[0].strip().lower()
        if answer in answers:
            return truth(answers[answer])
        out.write_string(retry + "\n")


@lisp_function("Y-OR-N-P")
def y_or_n_p(control: Any = NIL, *args: Any) -> Any:
    return _query(control, args, "(y or n)", {"y": True, "n": False}, 'Please type "y" for yes or "n" for no.')


@lisp_function("YES-OR-NO-P")
def yes_or_no_p(control: Any = NIL, *args: Any) -> Any:
    return _query(control, args, "(yes or no)", {"yes": True, "no": False},
                  'Please type "yes" for yes or "no" for no.')


@lisp_function("%FORMATTER", SYSTEM)
def formatter(control: Any) -> Any:
    return make_formatter(control)


@lisp_function("PPRINT")
def pprint(obj: Any, stream: Any = NIL) -> Any:
    printer.pprint(obj, stream)
    return values()


# -- output ----------------------------------------------------------------------------------------

def _write_part(string: Any, stream: Any, args: tuple[Any, ...], who: str, ending: str) -> Any:
    text = string_argument(string)
    start, end = _bounds(text, keywords(args, ("START", "END"), who))
    output_stream(stream).write_string(text[start:end] + ending)
    return string


@lisp_function("WRITE-STRING")
def write_string(string: Any, stream: Any = NIL, *args: Any) -> Any:
    return _write_part(string, stream, args, "WRITE-STRING", "")


@lisp_function("WRITE-LINE")
def write_line(string: Any, stream: Any = NIL, *args: Any) -> Any:
    return _write_part(string, stream, args, "WRITE-LINE", "\n")


@lisp_function("WRITE-CHAR")
def write_char(char: Any, stream: Any = NIL) -> Any:
    check(isinstance(char, Char), char, expected("CHARACTER"))
    output_stream(stream).write_string(char.char)
    return char


@lisp_function("TERPRI")
def terpri(stream: Any = NIL) -> Any:
    output_stream(stream).terpri()
    return NIL


@lisp_function("FRESH-LINE")
def fresh_line(stream: Any = NIL) -> Any:
    return truth(output_stream(stream).fresh_line())


@lisp_function("FINISH-OUTPUT")
def finish_output(stream: Any = NIL) -> Any:
    output_stream(stream).finish_output()
    return NIL


lisp_function("FORCE-OUTPUT")(finish_output)


@lisp_function("CLEAR-OUTPUT")
def clear_output(stream: Any = NIL) -> Any:
    output_stream(stream)
    return NIL


# -- streams ---------------------------------------------------------------------------------------

@lisp_function("MAKE-STRING-OUTPUT-STREAM")
def make_string_output_stream(*args: Any) -> Any:
    keywords(args, ("ELEMENT-TYPE",), "MAKE-STRING-OUTPUT-STREAM")
    return StringOutputStream()


@lisp_function("GET-OUTPUT-STREAM-STRING")
def get_output_stream_string(stream: Any) -> Any:
    check(isinstance(stream, StringOutputStream), stream, expected("STRING-STREAM"))
    return make_string(stream.get_output_stream_string())


@lisp_function("MAKE-STRING-INPUT-STREAM")
def make_string_input_stream(string: Any, start: Any = 0, end: Any = NIL) -> Any:
    string = string_argument(string)
    start, end = _bounds(string, {"START": start, "END": end})
    return InputStream(string, start, end)


@lisp_function("MAKE-BROADCAST-STREAM")
def make_broadcast_stream(*streams: Any) -> Any:
    for stream in streams:
        check(isinstance(stream, Stream) and stream.is_output, stream, expected("STREAM"))
    return BroadcastStream(list(streams))


@lisp_function("MAKE-TWO-WAY-STREAM")
def make_two_way_stream(input_stream_: Any, output: Any) -> Any:
    check(isinstance(input_stream_, InputStream), input_stream_, expected("STREAM"))
    check(isinstance(output, OutputStream), output, expected("STREAM"))
    return TwoWayStream(input_stream_, output)


@lisp_function("WRITE-SEQUENCE")
def write_sequence(sequence: Any, stream: Any, *args: Any) -> Any:
    """``write-sequence`` of a string, or of a list or vector of characters."""
    if is_string(sequence):
        text = string_text(sequence)
    else:
        items = list(sequence) if isinstance(sequence, (list, LispVector)) else list(iter_list(sequence))
        for item in items:
            check(isinstance(item, Char), item, expected("CHARACTER"))
        text = "".join(item.char for item in items)
    start, end = _bounds(text, keywords(args, ("START", "END"), "WRITE-SEQUENCE"))
    output_stream(stream).write_string(text[start:end])
    return sequence


@lisp_function("READ-SEQUENCE")
def read_sequence(sequence: Any, stream: Any, *args: Any) -> Any:
    """``read-sequence`` of characters into a vector: the index after the last one stored."""
    check(isinstance(sequence, (list, LispVector)), sequence, expected("VECTOR"))
    kw = keywords(args, ("START", "END"), "READ-SEQUENCE")
    length = len(sequence) if isinstance(sequence, list) else sequence.length
    start, end = _bounds(range(length), kw)
    source = input_stream(stream)
    chars = []
    while start + len(chars) < end:
        char = source.read_char()
        if char is None:
            break
        chars.append(Char(char))
    if isinstance(sequence, list):
        sequence[start:start + len(chars)] = chars
    else:
        sequence.put_values(start, chars)
    return start + len(chars)


@lisp_function("%STRING-INPUT-STREAM-INDEX", SYSTEM)
def string_input_stream_index(stream: Any) -> Any:
    return stream.index


@lisp_function("STREAMP")
def streamp(obj: Any) -> Any:
    return truth(isinstance(obj, Stream))


@lisp_function("INPUT-STREAM-P")
def input_stream_p(stream: Any) -> Any:
    check(isinstance(stream, Stream), stream, expected("STREAM"))
    return truth(stream.is_input)


@lisp_function("OUTPUT-STREAM-P")
def output_stream_p(stream: Any) -> Any:
    check(isinstance(stream, Stream), stream, expected("STREAM"))
    return truth(stream.is_output)


@lisp_function("OPEN-STREAM-P")
def open_stream_p(stream: Any) -> Any:
    check(isinstance(stream, Stream), stream, expected("STREAM"))
    return truth(not stream.closed)


@lisp_function("INTERACTIVE-STREAM-P")
def interactive_stream_p(stream: Any) -> Any:
    check(isinstance(stream, Stream), stream, expected("STREAM"))
    return truth(stream.is_interactive())


@lisp_function("CLOSE")
def close(stream: Any, *args: Any) -> Any:
    check(isinstance(stream, Stream), stream, expected("STREAM"))
    keywords(args, ("ABORT",), "CLOSE")
    was_open = not stream.closed
    stream.close()
    return truth(was_open)


_DIRECTIONS = {keyword("INPUT"): "r", keyword("OUTPUT"): "w", keyword("IO"): "r+", keyword("PROBE"): None}
_IF_EXISTS = ("ERROR", "SUPERSEDE", "NEW-VERSION", "RENAME", "RENAME-AND-DELETE", "OVERWRITE", "APPEND")


@lisp_function("OPEN")
def open_(filespec: Any, *args: Any) -> Any:
    """``open`` of a file named by a pathname designator: :direction :input/:output/:io/:probe, :if-exists,
    :if-does-not-exist; characters in UTF-8 whatever :element-type and :external-format say."""
    filespec = native_namestring(filespec, "OPEN")
    kw = keywords(args, ("DIRECTION", "ELEMENT-TYPE", "IF-EXISTS", "IF-DOES-NOT-EXIST", "EXTERNAL-FORMAT"), "OPEN")
    direction = kw.get("DIRECTION", keyword("INPUT"))
    if direction not in _DIRECTIONS:
        raise_error(ProgramError(f"OPEN: :DIRECTION must be :INPUT, :OUTPUT, :IO or :PROBE, not {show(direction)}"))
    path = Path(filespec)
    writing = direction in (keyword("OUTPUT"), keyword("IO"))
    if path.exists() and writing:
        if_exists = kw.get("IF-EXISTS", keyword("ERROR"))
        if if_exists is NIL:
            return NIL
        if not (isinstance(if_exists, Symbol) and if_exists.is_keyword and if_exists.name in _IF_EXISTS):
            raise_error(ProgramError(f"OPEN: bad :IF-EXISTS {show(if_exists)}"))
        if if_exists.name == "ERROR":
            raise_error(FileError(f"OPEN: the file {filespec} already exists", pathname=filespec))
        mode = {"APPEND": "a", "OVERWRITE": "r+"}.get(if_exists.name, "w")
    elif not path.exists():
        default = keyword("CREATE") if writing else keyword("ERROR") if direction is keyword("INPUT") else NIL
        if_missing = kw.get("IF-DOES-NOT-EXIST", default)
        if if_missing is NIL:
            return NIL
        if if_missing is not keyword("CREATE"):
            raise_error(FileError(f"OPEN: no such file {filespec}", pathname=filespec))
        mode = "w+" if direction is keyword("IO") else "w"
    else:
        mode = _DIRECTIONS[direction]
    if mode is None:
        return HostInputStream(open(path, encoding="utf-8"), filespec, owned=True) if path.exists() else NIL
    try:
        file = open(path, mode, encoding="utf-8")
    except OSError as e:
        raise_error(FileError(f"OPEN: cannot open {filespec}: {e.strerror}", pathname=filespec, original=e))
    if writing:
        return HostOutputStream(file, filespec, owned=True)
    return HostInputStream(file, filespec, owned=True)


# -- macros ----------------------------------------------------------------------------------------

LET = cl_symbol("LET")
UNWIND_PROTECT = cl_symbol("UNWIND-PROTECT")
MULTIPLE_VALUE_PROG1 = cl_symbol("MULTIPLE-VALUE-PROG1")
PROGN = cl_symbol("PROGN")
SETF = cl_symbol("SETF")
WHEN = cl_symbol("WHEN")
CLOSE_ = cl_symbol("CLOSE")


def _macro_parts(form: Any, what: str) -> tuple[list[Any], list[Any]]:
    """The binding spec (a list) and the body of ``(what (spec...) body...)``."""
    items = list(iter_list(form))
    if len(items) < 2 or not (isinstance(items[1], Cons)):
        raise ProgramError(f"{what} needs a list of a variable and arguments: {show(form)}",
                           getattr(form, "pos", None))
    return list(iter_list(items[1])), items[2:]


def _with_stream(var: Any, opener: Any, body: list[Any]) -> Any:
    """``(let ((var opener)) decls (unwind-protect (progn forms) (when var (close var))))``."""
    declarations, forms = split_declarations(body)
    return make_list([LET, L(L(var, opener)), *declarations,
                      L(UNWIND_PROTECT, make_list([PROGN, *forms]), L(WHEN, var, L(CLOSE_, var)))])


@macro("WITH-OPEN-FILE")
def with_open_file(form: Any, env: Any) -> Any:
    spec, body = _macro_parts(form, "WITH-OPEN-FILE")
    var, *open_args = spec
    return _with_stream(var, make_list([cl_symbol("OPEN"), *open_args]), body)


@macro("WITH-OPEN-STREAM")
def with_open_stream(form: Any, env: Any) -> Any:
    spec, body = _macro_parts(form, "WITH-OPEN-STREAM")
    if len(spec) != 2:
        raise ProgramError(f"WITH-OPEN-STREAM needs (var stream): {show(form)}", getattr(form, "pos", None))
    return _with_stream(spec[0], spec[1], body)


@macro("PRINT-UNREADABLE-OBJECT")
def print_unreadable_object_macro(form: Any, env: Any) -> Any:
    spec, body = _macro_parts(form, "PRINT-UNREADABLE-OBJECT")
    if len(spec) < 2:
        raise ProgramError(f"PRINT-UNREADABLE-OBJECT needs (object stream &key type identity): {show(form)}",
                           getattr(form, "pos", None))
    obj, stream, *options = spec
    kw = keywords(tuple(options), ("TYPE", "IDENTITY"), "PRINT-UNREADABLE-OBJECT")
    thunk = make_list([cl_symbol("LAMBDA"), NIL, *body]) if body else NIL
    return L(SYSTEM.intern("%PRINT-UNREADABLE-OBJECT"), obj, stream, kw.get("TYPE", NIL),
             kw.get("IDENTITY", NIL), thunk)


# CLHS WITH-STANDARD-IO-SYNTAX: each printer and reader variable and the value it is bound to.
_STANDARD_IO_SYNTAX = (
    ("*PACKAGE*", L(cl_symbol("FIND-PACKAGE"), "COMMON-LISP-USER")),
    ("*PRINT-ARRAY*", T), ("*PRINT-BASE*", 10), ("*PRINT-CASE*", keyword("UPCASE")),
    ("*PRINT-CIRCLE*", NIL), ("*PRINT-ESCAPE*", T), ("*PRINT-GENSYM*", T), ("*PRINT-LENGTH*", NIL),
    ("*PRINT-LEVEL*", NIL), ("*PRINT-LINES*", NIL), ("*PRINT-MISER-WIDTH*", NIL),
    ("*PRINT-PPRINT-DISPATCH*", L(SYSTEM.intern("%STANDARD-PPRINT-DISPATCH"))), ("*PRINT-PRETTY*", NIL), ("*PRINT-RADIX*", NIL),
    ("*PRINT-READABLY*", T), ("*PRINT-RIGHT-MARGIN*", NIL), ("*READ-BASE*", 10),
    ("*READ-DEFAULT-FLOAT-FORMAT*", L(QUOTE, cl_symbol("SINGLE-FLOAT"))), ("*READ-EVAL*", T),
    ("*READ-SUPPRESS*", NIL), ("*READTABLE*", L(SYSTEM.intern("%STANDARD-READTABLE"))),
)


@builtin("%STANDARD-READTABLE", SYSTEM)
def standard_readtable() -> Readtable:
    """The standard readtable (not to be modified, CLHS 2.1.1.2)."""
    return STANDARD_READTABLE


@macro("WITH-STANDARD-IO-SYNTAX")
def with_standard_io_syntax(form: Any, env: Any) -> Any:
    """``(with-standard-io-syntax body...)``: the body with every printer and reader variable bound
    to its standard value (CLHS 23.2: WITH-STANDARD-IO-SYNTAX)."""
    body = list(iter_list(form))[1:]
    return make_list([LET, make_list([L(cl_symbol(name), value) for name, value in _STANDARD_IO_SYNTAX]), *body])


@macro("FORMATTER")
def formatter_macro(form: Any, env: Any) -> Any:
    items = list(iter_list(form))
    if len(items) != 2 or not is_string(items[1]):
        raise ProgramError(f"FORMATTER needs one literal control string: {show(form)}", getattr(form, "pos", None))
    control = string_text(items[1])
    make_formatter(control)  # a bad control string is an error when the macro is expanded
    return L(SYSTEM.intern("%FORMATTER"), control)


@macro("WITH-INPUT-FROM-STRING")
def with_input_from_string(form: Any, env: Any) -> Any:
    spec, body = _macro_parts(form, "WITH-INPUT-FROM-STRING")
    if len(spec) < 2:
        raise ProgramError(f"WITH-INPUT-FROM-STRING needs (var string &key index start end): {show(form)}",
                           getattr(form, "pos", None))
    var, string, *options = spec
    kw = keywords(tuple(options), ("INDEX", "START", "END"), "WITH-INPUT-FROM-STRING")
    opener = L(cl_symbol("MAKE-STRING-INPUT-STREAM"), string, kw.get("START", 0), kw.get("END", NIL))
    declarations, forms = split_declarations(body)
    inner = make_list([PROGN, *forms])
    if "INDEX" in kw:
        inner = L(MULTIPLE_VALUE_PROG1, inner,
                  L(SETF, kw["INDEX"], L(SYSTEM.intern("%STRING-INPUT-STREAM-INDEX"), var)))
    return make_list([LET, L(L(var, opener)), *declarations, inner])
