"""Pathnames and files: Unix namestrings parsed and printed, make-pathname, merging, wildcards, the
file system functions, and open/load/with-open-file on pathnames (answers checked against SBCL)."""

from __future__ import annotations

import pytest
from lisp_results import results, value

from lisp import evaluator


def lisp_string(text: object) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.parametrize(("namestring", "components"), [
    ("/a/b/c.lisp", '((:ABSOLUTE "a" "b") "c" "lisp" :NEWEST)'),
    ("c", '(NIL "c" NIL :NEWEST)'),
    ("a/b/", '((:RELATIVE "a" "b") NIL NIL NIL)'),
    (".lisp", '(NIL ".lisp" NIL :NEWEST)'),
    ("foo.tar.gz", '(NIL "foo.tar" "gz" :NEWEST)'),
    ("foo.", '(NIL "foo" "" :NEWEST)'),
    ("/a/**/*.lisp", '((:ABSOLUTE "a" :WILD-INFERIORS) :WILD "lisp" :NEWEST)'),
    ("../a/", '((:RELATIVE :UP "a") NIL NIL NIL)'),
    ("~/x.y", '((:ABSOLUTE :HOME) "x" "y" :NEWEST)'),
    ("a//b", '((:RELATIVE "a") "b" NIL :NEWEST)'),
    ("a\\*b", '(NIL "a*b" NIL :NEWEST)'),
    ("", "(NIL NIL NIL NIL)"),
])
def test_a_unix_namestring_parses_into_components(namestring: str, components: str) -> None:
    assert value(f"(let ((p (pathname {lisp_string(namestring)})))"
                 " (list (pathname-directory p) (pathname-name p) (pathname-type p) (pathname-version p)))") \
        == components


def test_parsing_then_printing_a_namestring_gives_it_back() -> None:
    assert value('(mapcar (function namestring) (list #p"/a/b/c.lisp" #p"a/b/" #p"../x.y" #p"*.*" #p"/a/**/"))') == \
        '("/a/b/c.lisp" "a/b/" "../x.y" "*.*" "/a/**/")'


def test_a_pathname_prints_as_sharp_p_and_princs_as_its_namestring() -> None:
    assert value('(list (prin1-to-string #p"/a/b.c") (princ-to-string #p"/a/b.c") (format nil "~a" #p"x"))') == \
        '("#P\\"/a/b.c\\"" "/a/b.c" "x")'


def test_equal_pathnames_are_one_object() -> None:
    assert value('(list (eq (pathname "/a/b") #p"/a/b") (equal #p"/a/b" (merge-pathnames "b" "/a/"))'
                 ' (equal #p"/a/b" #p"/a/c"))') == "(T T NIL)"


def test_pathname_is_a_built_in_class_and_type() -> None:
    assert value("(list (typep #p\"a\" 'pathname) (type-of #p\"a\") (class-name (class-of #p\"a\"))"
                 " (pathnamep \"a\") (subtypep 'pathname 't))") == "(T PATHNAME PATHNAME NIL T)"


def test_a_method_can_specialize_on_pathname() -> None:
    evaluator.eval_string("(defgeneric pathname-kind-t (x)) (defmethod pathname-kind-t ((x pathname)) :path)"
                          " (defmethod pathname-kind-t ((x string)) :string)")
    assert value('(list (pathname-kind-t #p"a") (pathname-kind-t "a"))') == "(:PATH :STRING)"


def test_make_pathname_takes_the_missing_components_from_defaults() -> None:
    assert value('(list (make-pathname :name "x" :defaults "/a/b.c") (make-pathname :defaults "/a/b.c" :type nil)'
                 ' (make-pathname :directory "abc") (make-pathname :directory :wild))') == \
        '(#P"/a/x.c" #P"/a/b" #P"/abc/" #P"/**/")'


def test_case_common_swaps_all_one_case_names() -> None:
    assert value('(list (pathname-name "FOO.LISP" :case :common) (pathname-name "foo" :case :common)'
                 ' (pathname-name "Foo" :case :common)'
                 ' (make-pathname :directory (quote (:absolute "ABC")) :name "XY" :case :common))') == \
        '("foo" "FOO" "Foo" #P"/abc/xy")'


def test_merge_pathnames_appends_a_relative_directory_and_fills_the_rest() -> None:
    assert value('(list (merge-pathnames "foo" "/tmp/bar.lisp") (merge-pathnames "a/b.c" "/x/y/")'
                 ' (merge-pathnames (make-pathname :directory (quote (:relative :back "q"))) "/x/y/")'
                 ' (merge-pathnames #p"/abs/" "rel/x.y"))') == \
        '(#P"/tmp/foo.lisp" #P"/x/y/a/b.c" #P"/x/q/" #P"/abs/x.y")'


def test_merge_pathnames_gives_a_named_pathname_the_default_version() -> None:
    assert value('(list (pathname-version (merge-pathnames (make-pathname :name "a") #p"/x/"))'
                 ' (pathname-version (merge-pathnames (make-pathname :name "a") #p"/x/" nil)))') == \
        "(:NEWEST NIL)"


def test_namestring_parts_and_enough_namestring() -> None:
    assert value('(list (file-namestring "/a/b.c") (directory-namestring "/a/b.c") (host-namestring "/a/b")'
                 ' (enough-namestring "/a/b/c.lisp" "/a/") (enough-namestring "/x/c.lisp" "/a/"))') == \
        '("b.c" "/a/" "" "b/c.lisp" "/x/c.lisp")'


def test_a_type_without_a_name_has_no_namestring() -> None:
    assert results('(namestring (make-pathname :type "lisp"))') == "FILE-ERROR"


def test_parse_namestring_returns_the_end_of_what_it_parsed() -> None:
    assert value('(multiple-value-list (parse-namestring "xxfoo.lispyy" nil #p"" :start 2 :end 10))') == \
        '(#P"foo.lisp" 10)'


def test_wildcards_match_names_and_directories() -> None:
    assert value('(list (wild-pathname-p "*.lisp") (wild-pathname-p "*.lisp" :type)'
                 ' (pathname-match-p "/a/c/b.lisp" "/a/**/*.lisp") (pathname-match-p "abc" "a?c")'
                 ' (pathname-match-p "x" "*.*") (pathname-match-p "/a/b" "/c/*"))') == "(T NIL T T T NIL)"


def test_translate_pathname_carries_the_wild_parts_over() -> None:
    assert value('(list (translate-pathname "/a/b/c/d.e" "/a/**/*.e" "/z/**/*.f")'
                 ' (translate-pathname "foo-bar.lisp" "foo-*.lisp" "baz-*.l"))') == \
        '(#P"/z/b/c/d.f" #P"baz-bar.l")'


# -- the file system -------------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "sub" / "deep").mkdir(parents=True)
    for name in ("a.lisp", "b.txt", "noext", "sub/c.lisp", "sub/deep/d.lisp"):
        (tmp_path / name).write_text("(defparameter *tree-loaded* (list *load-pathname* *load-truename*))\n")
    return tmp_path


def names(listing: str, root: object) -> str:
    return listing.replace(str(root), "ROOT")


def test_directory_lists_the_matches_of_a_wild_pathname(tree) -> None:
    root = lisp_string(f"{tree}/")
    assert names(value(f"(list (directory (merge-pathnames \"*.lisp\" {root}))"
                       f" (directory (merge-pathnames \"**/*.lisp\" {root}))"
                       f" (directory (merge-pathnames \"*\" {root})))"), tree) == \
        '((#P"ROOT/a.lisp") (#P"ROOT/a.lisp" #P"ROOT/sub/c.lisp" #P"ROOT/sub/deep/d.lisp")' \
        ' (#P"ROOT/noext" #P"ROOT/sub/"))'


def test_probe_file_gives_the_truename_or_nil(tree) -> None:
    root = lisp_string(f"{tree}/")
    assert names(value(f"(list (probe-file (merge-pathnames \"sub\" {root}))"
                       f" (probe-file (merge-pathnames \"sub/../a.lisp\" {root}))"
                       f" (probe-file (merge-pathnames \"none\" {root})))"), tree) == \
        '(#P"ROOT/sub/" #P"ROOT/a.lisp" NIL)'


def test_truename_of_a_missing_file_is_a_file_error(tree) -> None:
    assert results(f"(truename {lisp_string(tree / 'none')})") == "FILE-ERROR"


def test_probe_file_of_a_wild_pathname_is_a_file_error(tree) -> None:
    assert results(f"(probe-file {lisp_string(tree / '*.lisp')})") == "FILE-ERROR"


def test_ensure_directories_exist_says_whether_it_made_one(tree) -> None:
    spec = lisp_string(tree / "new" / "x" / "y.z")
    assert value(f"(list (nth-value 1 (ensure-directories-exist {spec}))"
                 f" (nth-value 1 (ensure-directories-exist {spec})))") == "(T NIL)"
    assert (tree / "new" / "x").is_dir()


def test_rename_file_merges_the_new_name_and_returns_three_names(tree) -> None:
    assert names(value(f"(multiple-value-list (rename-file {lisp_string(tree / 'b.txt')} \"c\"))"), tree) == \
        '(#P"ROOT/c.txt" #P"ROOT/b.txt" #P"ROOT/c.txt")'
    assert (tree / "c.txt").exists() and not (tree / "b.txt").exists()


def test_delete_file_removes_it_and_a_missing_one_is_a_file_error(tree) -> None:
    assert value(f"(delete-file {lisp_string(tree / 'b.txt')})") == "T"
    assert results(f"(delete-file {lisp_string(tree / 'b.txt')})") == "FILE-ERROR"


def test_file_write_date_is_a_universal_time(tree) -> None:
    assert value(f"(> (file-write-date {lisp_string(tree / 'a.lisp')}) (encode-universal-time 0 0 0 1 1 2020 0))") \
        == "T"


def test_user_homedir_pathname_is_a_directory() -> None:
    assert value("(let ((home (user-homedir-pathname))) (list (pathname-name home) (first (pathname-directory home))))") \
        == "(NIL :ABSOLUTE)"


def test_with_open_file_takes_a_pathname_and_the_stream_knows_it(tree) -> None:
    target = lisp_string(tree / "out.txt")
    assert names(value(f"(with-open-file (s (pathname {target}) :direction :output) (write-string \"hi\" s)"
                       " (pathname s))"), tree) == '#P"ROOT/out.txt"'
    assert (tree / "out.txt").read_text() == "hi"


def test_open_merges_with_default_pathname_defaults(tree) -> None:
    assert value(f"(let ((*default-pathname-defaults* (pathname {lisp_string(f'{tree}/')})))"
                 " (with-open-file (s \"noext\") (read-line s)))") == \
        '"(defparameter *tree-loaded* (list *load-pathname* *load-truename*))"'


def test_load_finds_name_dot_lisp_and_binds_the_load_pathnames(tree) -> None:
    assert names(value(f"(progn (load (make-pathname :name \"a\" :defaults {lisp_string(f'{tree}/')}))"
                       " *tree-loaded*)"), tree) == '(#P"ROOT/a.lisp" #P"ROOT/a.lisp")'


def test_load_of_a_missing_file_is_a_file_error_naming_the_pathname(tree) -> None:
    assert names(value(f"(handler-case (load {lisp_string(tree / 'none')})"
                       " (file-error (c) (file-error-pathname c)))"), tree) == '#P"ROOT/none"'
