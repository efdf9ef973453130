"""Python from Lisp (the PY package), Python classes as specializers, Lisp generic functions
called from Python."""

import collections
import decimal
import inspect
import os
import subprocess
import sys

import pytest

import dispatch
import lisp
import lisp.clos
from lisp.runtime.condition_classes import Condition, Error, ProgramError
from lisp.syntax.printer import write_to_string

lisp.clos.install()


def ev(text):
    return lisp.eval_string(text)


def show(text):
    """The value of ``text`` as prin1 prints it on one line (no pretty-printer line breaks)."""
    return show_value(ev(text))


def show_value(value):
    return write_to_string(value, pretty=None)


def test_import_and_call_a_module_function():
    assert ev('(py:call (py:import "math") "sqrt" 16)') == 4.0


def test_getattr_and_setattr():
    assert ev('(py:getattr (py:import "math") "pi")') == pytest.approx(3.14159265)
    ev('(defparameter *ns* (py:funcall (py:getattr (py:import "types") "SimpleNamespace")))')
    ev('(py:setattr *ns* "answer" 42)')
    assert ev('(py:getattr *ns* "answer")') == 42


def test_method_call_on_a_python_object():
    assert ev('(py:call "a,b,c" "split" ",")') == ["a", "b", "c"]


def test_keyword_call_turns_lisp_keywords_into_python_names():
    assert ev('(py:kwcall (py:getattr "-" "join") (list (list "a" "b")))') == "a-b"
    assert ev('(py:kwcall (py:getattr (py:import "builtins") "sorted") (list (list 3 1 2)) :reverse py:true)') \
        == [3, 2, 1]


def test_conversions_between_lisp_lists_and_python_sequences():
    assert ev("(py:list '(1 2 3))") == [1, 2, 3]
    assert ev("(py:tuple '(1 2))") == (1, 2)
    assert show('(py:to-lisp (py:tuple (quote (1 2))))') == "(1 2)"
    assert ev("(py:dict '((:a . 1) (:b . 2)))") == {lisp.read_from_string(":a"): 1,
                                                     lisp.read_from_string(":b"): 2}
    assert show('(list (py:bool 0) (py:bool 1))') == "(NIL T)"
    assert list(ev("(list py:true py:false py:none)")) == [True, False, None]


def test_python_eval_expression():
    assert ev('(py:eval "2 ** 10")') == 1024


def test_python_exception_reaches_lisp_as_a_condition_keeping_the_original():
    assert show('(handler-case (py:call (py:import "math") "sqrt" -1) '
                '(error (c) (list :caught (py:getattr (py:getattr c "original") "__class__"))))') \
        .startswith("(:CAUGHT")
    with pytest.raises(Condition):
        ev('(handler-case (py:call (py:import "math") "sqrt" -1) (division-by-zero () nil))')


def test_unknown_attribute_is_an_error():
    with pytest.raises((Error, AttributeError)):
        ev('(py:getattr (py:import "math") "no_such_thing")')


def test_python_class_as_a_method_specializer():
    ev('(defgeneric describe-number (x))')
    ev('(defmethod describe-number ((x (py:class "decimal.Decimal"))) :decimal)')
    ev('(defmethod describe-number ((x integer)) :integer)')
    ev('(defmethod describe-number ((x t)) :other)')
    gf = lisp.function("describe-number")
    assert lisp.prin1_to_string(gf(decimal.Decimal("1.5"))) == ":DECIMAL"
    assert show('(describe-number (py:funcall (py:getattr (py:import "decimal") "Decimal") "2"))') \
        == ":DECIMAL"
    assert show("(describe-number 3)") == ":INTEGER"


def test_python_subclass_follows_python_mro_in_dispatch():
    ev('(defgeneric mapping-kind (x))')
    ev('(defmethod mapping-kind ((x (py:class "builtins.dict"))) :dict)')
    ev('(defmethod mapping-kind ((x t)) :other)')
    gf = lisp.function("mapping-kind")
    assert lisp.prin1_to_string(gf(collections.OrderedDict())) == ":DICT"
    assert lisp.prin1_to_string(gf([])) == ":OTHER"


def test_python_class_can_be_named_by_a_symbol_with_setf_find_class():
    ev('(setf (find-class \'py-fraction) (py:class "fractions.Fraction"))')
    ev('(defgeneric frac-p (x)) (defmethod frac-p ((x py-fraction)) t) (defmethod frac-p ((x t)) nil)')
    assert show("(list (frac-p 1/2) (frac-p 1))") == "(T NIL)"


def test_py_class_of_a_non_class_is_a_type_error():
    with pytest.raises(Error, match="not a Python class"):
        ev('(py:class "math.pi")')


def test_lisp_generic_function_called_from_python_dispatches_on_python_classes():
    class Animal:
        pass

    class Dog(Animal):
        pass

    from lisp.runtime.namespace import set_symbol_value
    set_symbol_value(lisp.read_from_string("*animal-class*"), Animal)
    ev("(defvar *animal-class*)")
    ev('(defgeneric speak (x))')
    ev('(defmethod speak ((x t)) "...")')
    ev('(defmethod speak ((x (py:class *animal-class*))) "generic animal noise")')
    gf = lisp.function("speak")
    assert gf(Dog()) == "generic animal noise"
    assert gf(3) == "..."


def test_lisp_function_receives_python_objects_unchanged():
    ev("(defun py-len (x) (py:funcall (py:getattr (py:import \"builtins\") \"len\") x))")
    assert lisp.function("py-len")({"a": 1, "b": 2}) == 2


# -- Lisp called from Python: documentation, signature, keyword arguments, errors, repr ------------

def test_defun_docstring_is_the_functions_python_doc():
    ev('(defun documented-fn (x) "Twice X." (* 2 x))')
    assert lisp.function("documented-fn").__doc__ == "Twice X."


def test_signature_shows_optional_as_defaults_rest_as_varargs_and_keys_as_keyword_only():
    ev('(defun sig-all (a &optional (b 2) c &rest more &key (d 4) line-end) (list a b c more d line-end))')
    assert str(inspect.signature(lisp.function("sig-all"))) == "(a, b=2, c=None, /, *more, d=4, line_end=None)"


def test_signature_shows_a_default_form_as_lisp_prints_it():
    ev("(defun sig-form (x &optional (y (+ x 1))) (list x y))")
    assert str(inspect.signature(lisp.function("sig-form"))) == "(x, y=(+ X 1), /)"


def test_signature_names_are_python_identifiers():
    ev("(defun sig-names (my-arg *special-ish* &key ((:class klass) nil)) (list my-arg *special-ish* klass))")
    params = inspect.signature(lisp.function("sig-names")).parameters
    assert list(params) == ["my_arg", "_special_ish_", "other_keys"]
    assert params["other_keys"].kind is inspect.Parameter.VAR_KEYWORD


def test_allow_other_keys_is_a_var_keyword_parameter():
    ev("(defun sig-other (&key a &allow-other-keys) a)")
    assert str(inspect.signature(lisp.function("sig-other"))) == "(*, a=None, **other_keys)"


def test_python_keyword_arguments_reach_key_parameters():
    ev("(defun kw-fn (a &key (b 3) line-end) (list a b line-end))")
    assert show_value(lisp.function("kw-fn")(1, b=5, line_end=6)) == "(1 5 6)"


def test_python_keyword_arguments_are_in_the_rest_list_too():
    ev("(defun kw-rest (&rest all &key b) (list all b))")
    assert show_value(lisp.function("kw-rest")(b=5)) == "((:B 5) 5)"


def test_lisp_keyword_arguments_win_over_python_ones():
    ev("(defun kw-first (&key (b 3)) b)")
    assert lisp.function("kw-first")(lisp.read_from_string(":b"), 1, b=2) == 1


def test_an_unknown_python_keyword_argument_is_a_program_error():
    ev("(defun kw-known (&key b) b)")
    with pytest.raises(ProgramError, match="unknown keyword argument :C"):
        lisp.function("kw-known")(c=1)


def test_python_keyword_arguments_reach_a_generic_functions_key_parameters():
    ev("(defgeneric kw-gf (x &key scale)) (defmethod kw-gf ((x integer) &key (scale 1)) (* x scale))")
    assert lisp.function("kw-gf")(3, scale=2) == 6


def test_no_applicable_method_from_python_is_dispatchs_type_error():
    ev("(defgeneric only-ints (x)) (defmethod only-ints ((x integer)) x)")
    with pytest.raises(dispatch.NoApplicableMethod) as caught:
        lisp.function("only-ints")("text")
    assert isinstance(caught.value, TypeError)
    assert caught.value.args_classes == (str,)


def test_no_applicable_method_is_still_a_lisp_error_to_lisp_handlers():
    ev("(defgeneric only-floats (x)) (defmethod only-floats ((x float)) x)")
    assert show('(handler-case (only-floats "x") (type-error () :type-error) (simple-error () :simple-error))') \
        == ":SIMPLE-ERROR"


@pytest.mark.parametrize("form, expected", [
    ("(list 1/2 \"s\" #\\a :k 'foo)", '(1/2 "s" #\\a :K FOO)'),
    ("'(a . b)", "(A . B)"),
    ("3/4", "3/4"),
    ("#\\Space", "#\\ "),  # as SBCL prints it
    ('(make-string 2 :initial-element #\\y)', '"yy"'),
    ("(make-array '(2 2) :initial-element 0)", "#2A((0 0) (0 0))"),
    ("(make-array 3 :fill-pointer 1 :initial-element 7)", "#(7)"),
])
def test_repr_of_lisp_data_is_its_printed_form(form, expected):
    assert repr(ev(form)) == expected


def test_repr_of_circular_data_labels_the_cycle():
    assert repr(ev("(let ((x (list 1 2))) (setf (cdr (cdr x)) x) x)")) == "#1=(1 2 . #1#)"


def test_repr_of_data_too_deep_to_print_falls_back_to_a_plain_form():
    deep = ev("(let ((x nil)) (dotimes (i 100000) (setq x (list x))) x)")
    assert repr(deep).startswith("<Cons at 0x")


def test_a_program_importing_lisp_uses_the_per_user_object_cache(tmp_path):
    program = "import lisp, jit; lisp.eval_string('(+ 1 2)'); print(jit.default_pool().stats()['cache_misses'])"
    env = {k: v for k, v in os.environ.items() if k not in ("GFJIT_CACHE_DIR", "GFJIT_CACHE")}
    env.update(XDG_CACHE_HOME=str(tmp_path), PYTHONPATH=os.pathsep.join(sys.path))
    runs = [subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, timeout=120)
            for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[-1].stderr
    assert int(runs[0].stdout) > 0 and int(runs[1].stdout) == 0
    assert list((tmp_path / "gfjit").glob("*.o"))
