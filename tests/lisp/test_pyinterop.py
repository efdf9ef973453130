"""Python from Lisp (the PY package), Python classes as specializers, Lisp generic functions
called from Python."""

import collections
import decimal

import pytest

import lisp
import lisp.clos
from lisp.runtime.condition_classes import Condition, Error
from lisp.syntax.printer import write_to_string

lisp.clos.install()


def ev(text):
    return lisp.eval_string(text)


def show(text):
    """The value of ``text`` as prin1 prints it on one line (no pretty-printer line breaks)."""
    return write_to_string(ev(text), pretty=None)


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
