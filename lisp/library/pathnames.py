"""Pathnames and files (CLHS 19, 20): ``pathname``, ``make-pathname``, ``parse-namestring``, the
namestrings, the component accessors (with ``:case``), ``merge-pathnames``, wildcards
(``wild-pathname-p``, ``pathname-match-p``, ``translate-pathname``, ``directory``), and the file
system: ``probe-file``, ``truename``, ``ensure-directories-exist``, ``delete-file``,
``rename-file``, ``file-write-date``, ``file-author``, ``user-homedir-pathname``.

Pathnames are :class:`lisp.runtime.pathnames.Pathname` (Unix namestrings only; see that module),
instances of the built-in class PATHNAME. ``*default-pathname-defaults*`` starts as ``#P""``, so a
relative pathname reaches the operating system relative and is resolved against the process's
current directory at that moment (a Python program's ``os.chdir`` is followed); set it to a
directory to merge relative pathnames with that instead. A file's truename resolves symbolic
links; a directory's is in directory form (``#P"/tmp/dir/"``).
"""

from __future__ import annotations

import os
import pwd
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from lisp.clos.builtin import define_built_in_class
from lisp.library.arguments import keywords, show, truth
from lisp.library.lists import list_items
from lisp.runtime import namespace
from lisp.runtime.arrays import is_string, string_text
from lisp.runtime.condition_classes import FileError, SimpleError
from lisp.runtime.data import NIL, Cons, Symbol, T, cl_symbol, keyword, make_list
from lisp.runtime.namespace import builtin
from lisp.runtime.pathnames import (
    ABSOLUTE,
    BACK,
    HOME,
    NEWEST,
    RELATIVE,
    UNSPECIFIC,
    UP,
    WILD,
    WILD_INFERIORS,
    Pathname,
    Pattern,
    directory_namestring_or_none,
    file_namestring_or_none,
    from_native,
    is_wild_component,
    make,
    namestring_or_none,
    parse_namestring,
)
from lisp.runtime.signals import raise_error, type_error
from lisp.runtime.streams import HostInputStream, HostOutputStream, output_stream
from lisp.runtime.values import values

PATHNAME_CLASS = define_built_in_class("PATHNAME", Pathname)

DEFAULTS = cl_symbol("*DEFAULT-PATHNAME-DEFAULTS*")
namespace.proclaim_special(DEFAULTS)
if not namespace.global_value_is_set(DEFAULTS):
    namespace.set_symbol_value(DEFAULTS, make())

_DESIGNATOR = make_list([cl_symbol("OR"), cl_symbol("PATHNAME"), cl_symbol("STRING"), cl_symbol("FILE-STREAM")])
_UNIVERSAL_TIME_OFFSET = 2208988800  # seconds from 1900-01-01 (universal time 0) to the Unix epoch


def _string_text(x: Any) -> str | None:
    """The text of a Lisp string, or None for any other object."""
    return string_text(x) if is_string(x) else None


def pathname(designator: Any) -> Pathname:
    """The pathname a pathname designator names: a pathname, a namestring, or a file stream (the
    pathname it was opened with)."""
    if isinstance(designator, Pathname):
        return designator
    text = _string_text(designator)
    if text is not None:
        return parse_namestring(text)
    if isinstance(designator, (HostInputStream, HostOutputStream)) and designator.owned:
        return parse_namestring(designator.name)
    return type_error(designator, _DESIGNATOR)


def defaults() -> Pathname:
    return pathname(namespace.symbol_value(DEFAULTS))


builtin("PATHNAME")(pathname)


@builtin("PATHNAMEP")
def pathnamep(x: Any) -> Any:
    return truth(isinstance(x, Pathname))


# -- :case -------------------------------------------------------------------------------------------


def _common_case(text: str) -> str:
    """CLHS 19.2.2.1.2.2 on Unix, whose customary case is lower: a name all in one case is in the
    other one in the common case; a mixed-case name is the same."""
    if text == text.upper():
        return text.lower()
    if text == text.lower():
        return text.upper()
    return text


def _cased(component: Any, case: Any) -> Any:
    if case is not keyword("COMMON"):
        return component
    if isinstance(component, str):
        return _common_case(component)
    if isinstance(component, tuple):
        return tuple(_cased(c, case) for c in component)
    return component


def _check_case(case: Any) -> Any:
    if case not in (keyword("LOCAL"), keyword("COMMON")):
        type_error(case, make_list([cl_symbol("MEMBER"), keyword("LOCAL"), keyword("COMMON")]))
    return case


# -- make-pathname and the accessors -------------------------------------------------------------------


def _directory_component(directory: Any) -> tuple[Any, ...] | None:
    """``make-pathname``'s :directory: a list, a string (one absolute directory), :wild (any
    directory below the root) or NIL."""
    if directory is NIL:
        return None
    if directory is WILD:
        return (ABSOLUTE, WILD_INFERIORS)
    text = _string_text(directory)
    if text is not None:
        return (ABSOLUTE, text)
    if isinstance(directory, Cons):
        items = tuple(list_items(directory))
        if items[0] in (ABSOLUTE, RELATIVE) and all(_good_directory_item(i) for i in items[1:]):
            return items
    return type_error(directory, make_list([cl_symbol("OR"), cl_symbol("LIST"), cl_symbol("STRING"),
                                            make_list([cl_symbol("MEMBER"), WILD, NIL])]))


def _good_directory_item(item: Any) -> bool:
    return isinstance(item, (str, Pattern)) or item in (WILD, WILD_INFERIORS, UP, BACK, HOME)


def _word_component(value: Any, what: str) -> Any:
    """A name or type: a string, NIL, :wild or :unspecific."""
    text = _string_text(value)
    if text is not None:
        return text
    if value is NIL or value is WILD or value is UNSPECIFIC or isinstance(value, Pattern):
        return value
    return type_error(value, make_list([cl_symbol("OR"), cl_symbol("STRING"),
                                        make_list([cl_symbol("MEMBER"), NIL, WILD, UNSPECIFIC])]))


def _version_component(value: Any) -> Any:
    if value is NIL or (type(value) is int and value >= 0) or value in (WILD, NEWEST, UNSPECIFIC,
                                                                          keyword("OLDEST")):
        return value
    return type_error(value, make_list([cl_symbol("OR"), cl_symbol("UNSIGNED-BYTE"),
                                        make_list([cl_symbol("MEMBER"), NIL, WILD, NEWEST,
                                                   keyword("OLDEST"), UNSPECIFIC])]))


@builtin("MAKE-PATHNAME")
def make_pathname(*args: Any) -> Pathname:
    """``make-pathname``: the components given, the others those of ``:defaults`` (a pathname
    whose components are all NIL when it is not given)."""
    kw = keywords(args, ("HOST", "DEVICE", "DIRECTORY", "NAME", "TYPE", "VERSION", "DEFAULTS", "CASE"),
                  "MAKE-PATHNAME")
    case = _check_case(kw.get("CASE", keyword("LOCAL")))
    base = pathname(kw["DEFAULTS"]) if kw.get("DEFAULTS", NIL) is not NIL else make(defaults().host)

    def given(key: str, convert: Callable[[Any], Any], current: Any) -> Any:
        return _cased(convert(kw[key]), case) if key in kw else current

    return make(given("HOST", lambda h: None if h is NIL else h, base.host),
                given("DEVICE", lambda d: _word_component(d, "device"), base.device),
                given("DIRECTORY", _directory_component, base.directory),
                given("NAME", lambda n: _word_component(n, "name"), base.name),
                given("TYPE", lambda t: _word_component(t, "type"), base.type),
                given("VERSION", _version_component, base.version))


def _accessor(name: str, component: Callable[[Pathname], Any]) -> None:
    def access(designator: Any, *args: Any) -> Any:
        case = _check_case(keywords(args, ("CASE",), name).get("CASE", keyword("LOCAL")))
        value = _cased(component(pathname(designator)), case)
        return make_list(value) if isinstance(value, tuple) else (NIL if value is None else value)

    access.__name__ = name.lower().replace("-", "_")
    access.__doc__ = f"``{name.lower()}`` (with ``:case``)."
    builtin(name)(access)


for _name, _component in (("PATHNAME-HOST", lambda p: p.host), ("PATHNAME-DEVICE", lambda p: p.device),
                          ("PATHNAME-DIRECTORY", lambda p: p.directory), ("PATHNAME-NAME", lambda p: p.name),
                          ("PATHNAME-TYPE", lambda p: p.type)):
    _accessor(_name, _component)


@builtin("PATHNAME-VERSION")
def pathname_version(designator: Any) -> Any:
    version = pathname(designator).version
    return NIL if version is None else version


# -- namestrings -----------------------------------------------------------------------------------


def _namestring_of(p: Pathname, text: str | None) -> str:
    if text is None:
        raise_error(FileError(f"the pathname {_components_text(p)} has no namestring", pathname=p))
    return text


def _components_text(p: Pathname) -> str:
    names = ("HOST", "DEVICE", "DIRECTORY", "NAME", "TYPE", "VERSION")
    shown = (make_list(c) if isinstance(c, tuple) else c for c in p.components())
    return "#<PATHNAME " + " ".join(f":{n} {show(c)}" for n, c in zip(names, shown)) + ">"


@builtin("NAMESTRING")
def namestring(designator: Any) -> str:
    p = pathname(designator)
    return _namestring_of(p, namestring_or_none(p))


@builtin("FILE-NAMESTRING")
def file_namestring(designator: Any) -> str:
    p = pathname(designator)
    return _namestring_of(p, file_namestring_or_none(p))


@builtin("DIRECTORY-NAMESTRING")
def directory_namestring(designator: Any) -> str:
    p = pathname(designator)
    return _namestring_of(p, directory_namestring_or_none(p))


@builtin("HOST-NAMESTRING")
def host_namestring(designator: Any) -> str:
    pathname(designator)
    return ""  # Unix namestrings name no host


@builtin("ENOUGH-NAMESTRING")
def enough_namestring(designator: Any, default: Any = NIL) -> str:
    """The namestring of ``designator`` relative to ``default``: its directory made relative when
    ``default``'s directory begins it (the name and type kept, as SBCL)."""
    p = pathname(designator)
    d = defaults() if default is NIL else pathname(default)
    directory = p.directory
    if directory is not None and d.directory is not None and directory[0] is ABSOLUTE \
            and directory[:len(d.directory)] == d.directory:
        rest = directory[len(d.directory):]
        directory = (RELATIVE, *rest) if rest else None
    return namestring(make(None, None, directory, p.name, p.type, None))


@builtin("PARSE-NAMESTRING")
def parse_namestring_(thing: Any, host: Any = NIL, default: Any = NIL, *args: Any) -> Any:
    """``parse-namestring``: the pathname and the index where parsing stopped (every string is a
    Unix namestring, so that is the end)."""
    kw = keywords(args, ("START", "END", "JUNK-ALLOWED"), "PARSE-NAMESTRING")
    if isinstance(thing, Pathname):
        return values(thing, kw.get("START", 0))
    text = _string_text(thing)
    if text is None:
        return values(pathname(thing), 0)
    start, end = kw.get("START", 0), kw.get("END", NIL)
    end = len(text) if end is NIL else end
    if not (type(start) is int and type(end) is int and 0 <= start <= end <= len(text)):
        raise_error(SimpleError(f"PARSE-NAMESTRING: bad bounds :start {show(start)} :end {show(end)} "
                                f"for a string of length {len(text)}"))
    return values(parse_namestring(text[start:end]), end)


# -- merging -----------------------------------------------------------------------------------------


def _merge_directories(own: tuple[Any, ...] | None, default: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    if own is None:
        return default
    if own[0] is not RELATIVE or default is None:
        return own
    merged: list[Any] = list(default)
    for item in own[1:]:
        if item is BACK and len(merged) > 1 and isinstance(merged[-1], str):
            merged.pop()
        else:
            merged.append(item)
    return tuple(merged)


def merge(p: Pathname, d: Pathname, default_version: Any = NEWEST) -> Pathname:
    """``merge-pathnames`` of two pathnames (CLHS 19.2.3)."""
    if p.version is not None:
        version = p.version
    elif p.name is None and d.version is not None:
        version = d.version
    else:
        version = default_version
    return make(p.host if p.host is not None else d.host,
                p.device if p.device is not None else d.device,
                _merge_directories(p.directory, d.directory),
                p.name if p.name is not None else d.name,
                p.type if p.type is not None else d.type,
                version)


@builtin("MERGE-PATHNAMES")
def merge_pathnames(designator: Any, default: Any = NIL, *args: Any) -> Pathname:
    if len(args) > 1:
        raise_error(SimpleError("MERGE-PATHNAMES takes at most three arguments"))
    default_version = args[0] if args else NEWEST
    d = defaults() if default is NIL else pathname(default)
    return merge(pathname(designator), d, None if default_version is NIL else default_version)


# -- wildcards ---------------------------------------------------------------------------------------

_FIELDS = {"HOST": lambda p: (p.host,), "DEVICE": lambda p: (p.device,),
           "DIRECTORY": lambda p: p.directory or (), "NAME": lambda p: (p.name,),
           "TYPE": lambda p: (p.type,), "VERSION": lambda p: (p.version,)}


@builtin("WILD-PATHNAME-P")
def wild_pathname_p(designator: Any, field: Any = NIL) -> Any:
    p = pathname(designator)
    if field is NIL:
        return truth(p.is_wild())
    if not (isinstance(field, Symbol) and field.is_keyword and field.name in _FIELDS):
        type_error(field, make_list([cl_symbol("MEMBER"), NIL, *(keyword(k) for k in _FIELDS)]))
    return truth(any(is_wild_component(c) for c in _FIELDS[field.name](p)))


def _component_matches(value: Any, wild: Any) -> bool:
    """Whether a name or type matches a wildcard's: a missing or :wild one matches anything."""
    if wild is None or wild is WILD:
        return True
    if isinstance(wild, Pattern):
        return isinstance(value, str) and wild.regex().fullmatch(value) is not None
    return value == wild


def _directory_matches(items: tuple[Any, ...], wild: tuple[Any, ...]) -> bool:
    """Whether directory components match wildcard ones, ``**`` matching any number of them."""
    if not wild:
        return not items
    head, rest = wild[0], wild[1:]
    if head is WILD_INFERIORS:
        return any(_directory_matches(items[i:], rest) for i in range(len(items) + 1))
    return bool(items) and _component_matches(items[0], head) and _directory_matches(items[1:], rest)


def matches(p: Pathname, wild: Pathname) -> bool:
    """``pathname-match-p``: a missing component of the wildcard matches anything."""
    if wild.directory is not None:
        if p.directory is None or p.directory[0] is not wild.directory[0]:
            return False
        if not _directory_matches(p.directory[1:], wild.directory[1:]):
            return False
    return _component_matches(p.name, wild.name) and _component_matches(p.type, wild.type) \
        and (wild.version in (None, WILD) or p.version == wild.version)


@builtin("PATHNAME-MATCH-P")
def pathname_match_p(designator: Any, wildcard: Any) -> Any:
    return truth(matches(pathname(designator), pathname(wildcard)))


def _captures(value: Any, wild: Any) -> list[str]:
    """What the wildcards of a name or type matched in ``value``, in order."""
    if wild is WILD or wild is None:
        return [value] if isinstance(value, str) else []
    if isinstance(wild, Pattern):
        groups = re.fullmatch(wild.regex().pattern.replace(".*", "(.*)"), value or "", re.DOTALL)
        return list(groups.groups()) if groups else []
    return []


def _fill(to: Any, captured: list[str], source: Any) -> Any:
    """A name or type of ``translate-pathname``'s result: ``to``'s, its wildcards filled in."""
    if to is WILD or to is None:
        return captured[0] if captured else source
    if isinstance(to, Pattern):
        pieces = iter(captured)
        return re.sub(r"\*", lambda _: next(pieces, ""), to.text)
    return to


def _translate_directory(source: tuple[Any, ...] | None, from_: tuple[Any, ...] | None,
                         to: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    if to is None:
        return source
    if from_ is None or source is None:
        return to
    inferiors = _inferiors(source[1:], from_[1:])
    out: list[Any] = []
    for item in to:
        if item is WILD_INFERIORS:
            out.extend(inferiors)
        else:
            out.append(item)
    return tuple(out)


def _inferiors(items: tuple[Any, ...], wild: tuple[Any, ...]) -> list[Any]:
    """The source directory components that the ``**`` of ``wild`` matched."""
    for i, w in enumerate(wild):
        if w is WILD_INFERIORS:
            tail = len(wild) - i - 1
            return list(items[i:len(items) - tail])
    return []


@builtin("TRANSLATE-PATHNAME")
def translate_pathname(source: Any, from_wildcard: Any, to_wildcard: Any, *args: Any) -> Pathname:
    """``translate-pathname``: ``**`` in the target directory takes what ``**`` matched in the
    source; a ``*`` name or type takes the source's, a pattern's ``*`` what the source's pattern
    matched."""
    keywords(args, (), "TRANSLATE-PATHNAME")
    p, from_, to = pathname(source), pathname(from_wildcard), pathname(to_wildcard)
    if not matches(p, from_):
        raise_error(SimpleError(f"TRANSLATE-PATHNAME: {show(p)} does not match {show(from_)}"))
    return make(to.host if to.host is not None else p.host,
                to.device if to.device is not None else p.device,
                _translate_directory(p.directory, from_.directory, to.directory),
                _fill(to.name, _captures(p.name, from_.name), p.name),
                _fill(to.type, _captures(p.type, from_.type), p.type),
                to.version if to.version is not None else p.version)


# -- the file system ------------------------------------------------------------------------------------


def native_namestring(designator: Any, who: str) -> str:
    """The operating system's name for the file a pathname designator names, merged with
    ``*default-pathname-defaults*``; a wild pathname is a FILE-ERROR."""
    p = merge(pathname(designator), defaults(), None)
    if p.is_wild():
        raise_error(FileError(f"{who}: the pathname {show(p)} is wild", pathname=p))
    text = _namestring_of(p, namestring_or_none(p))
    return os.path.expanduser(text) if text.startswith("~") else text


def _truename_of(path: Path) -> Pathname:
    resolved = path.resolve()
    text = str(resolved)
    if resolved.is_dir():
        text = text.rstrip("/") + "/"
    return from_native(text)


@builtin("PROBE-FILE")
def probe_file(designator: Any) -> Any:
    """The truename of the file or directory, or NIL if there is none."""
    path = Path(native_namestring(designator, "PROBE-FILE"))
    return _truename_of(path) if path.exists() else NIL


@builtin("TRUENAME")
def truename(designator: Any) -> Pathname:
    path = Path(native_namestring(designator, "TRUENAME"))
    if not path.exists():
        raise_error(FileError(f"TRUENAME: there is no file {path}", pathname=pathname(designator)))
    return _truename_of(path)


def _walk_directories(start: Path, wild: tuple[Any, ...]) -> Iterator[Path]:
    """The existing directories below ``start`` that match the directory components ``wild``."""
    if not wild:
        yield start
        return
    head, rest = wild[0], wild[1:]
    if head is WILD_INFERIORS:
        yield from _walk_directories(start, rest)
        for child in _subdirectories(start):
            yield from _walk_directories(child, wild)
    elif head is UP or head is BACK:
        yield from _walk_directories(start / "..", rest)
    elif head is HOME:
        yield from _walk_directories(Path.home(), rest)
    elif isinstance(head, str):
        if (start / head).is_dir():
            yield from _walk_directories(start / head, rest)
    else:
        for child in _subdirectories(start):
            if _component_matches(child.name, head):
                yield from _walk_directories(child, rest)


def _subdirectories(path: Path) -> list[Path]:
    try:
        return sorted(c for c in path.iterdir() if c.is_dir())
    except OSError:
        return []


def _entry_matches(entry: Path, wild: Pathname) -> bool:
    parsed = from_native(entry.name)
    name, type_ = parsed.name, parsed.type
    wanted_type = wild.type
    return _component_matches(name, wild.name) and (
        wanted_type is WILD or (type_ is None if wanted_type is None else _component_matches(type_, wanted_type)))


@builtin("DIRECTORY")
def directory(designator: Any, *args: Any) -> Any:
    """``directory``: the truenames of the files and directories that match the (possibly wild)
    pathname, sorted; ``*`` and ``?`` match within a name, ``**`` any depth of directories. A
    pathname with no name and type lists the matching directories themselves."""
    keywords(args, ("RESOLVE-SYMLINKS",), "DIRECTORY")
    p = merge(pathname(designator), defaults(), None)
    if not p.is_wild():
        path = Path(native_namestring(p, "DIRECTORY"))
        return make_list([_truename_of(path)] if path.exists() else [])
    directory_items = p.directory or (RELATIVE,)
    start = Path("/") if directory_items[0] is ABSOLUTE else Path(".")
    found: dict[Pathname, None] = {}
    for folder in _walk_directories(start, directory_items[1:]):
        if p.name is None and p.type is None:
            found.setdefault(_truename_of(folder))
            continue
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if _entry_matches(entry, p):
                found.setdefault(_truename_of(entry))
    return make_list(sorted(found, key=lambda q: namestring_or_none(q) or ""))


@builtin("ENSURE-DIRECTORIES-EXIST")
def ensure_directories_exist(designator: Any, *args: Any) -> Any:
    """Make the directories of the pathname that do not exist; the pathspec and whether any was made."""
    kw = keywords(args, ("VERBOSE", "MODE"), "ENSURE-DIRECTORIES-EXIST")
    folder = Path(native_namestring(make_pathname(keyword("NAME"), NIL, keyword("TYPE"), NIL,
                                                  keyword("VERSION"), NIL, keyword("DEFAULTS"),
                                                  pathname(designator)), "ENSURE-DIRECTORIES-EXIST") or ".")
    created = not folder.is_dir()
    if created:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise_error(FileError(f"ENSURE-DIRECTORIES-EXIST: cannot make {folder}: {exc.strerror}",
                                  pathname=pathname(designator), original=exc))
        if kw.get("VERBOSE", NIL) is not NIL:
            output_stream(NIL).write_string(f"creating directory: {folder}/\n")
    return values(designator, truth(created))


def _existing(designator: Any, who: str) -> Path:
    path = Path(native_namestring(designator, who))
    if not path.exists():
        raise_error(FileError(f"{who}: there is no file {path}", pathname=pathname(designator)))
    return path


@builtin("DELETE-FILE")
def delete_file(designator: Any) -> Any:
    path = _existing(designator, "DELETE-FILE")
    try:
        path.unlink()
    except OSError as exc:
        raise_error(FileError(f"DELETE-FILE: cannot delete {path}: {exc.strerror}",
                              pathname=pathname(designator), original=exc))
    return T


@builtin("RENAME-FILE")
def rename_file(designator: Any, new_name: Any) -> Any:
    """``rename-file``: three values, the new name merged with the file's, the old truename and the new."""
    path = _existing(designator, "RENAME-FILE")
    old_truename = _truename_of(path)
    new = merge(pathname(new_name), pathname(designator), None)
    target = Path(native_namestring(new, "RENAME-FILE"))
    try:
        path.rename(target)
    except OSError as exc:
        raise_error(FileError(f"RENAME-FILE: cannot rename {path} to {target}: {exc.strerror}",
                              pathname=pathname(designator), original=exc))
    return values(new, old_truename, _truename_of(target))


@builtin("FILE-WRITE-DATE")
def file_write_date(designator: Any) -> int:
    """The universal time of the file's last modification."""
    return int(_existing(designator, "FILE-WRITE-DATE").stat().st_mtime) + _UNIVERSAL_TIME_OFFSET


@builtin("FILE-AUTHOR")
def file_author(designator: Any) -> Any:
    """The name of the file's owner, or NIL if the system knows no name for it."""
    uid = _existing(designator, "FILE-AUTHOR").stat().st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return NIL


@builtin("USER-HOMEDIR-PATHNAME")
def user_homedir_pathname(host: Any = NIL) -> Pathname:
    return from_native(str(Path.home()).rstrip("/") + "/")

