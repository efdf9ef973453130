"""define-method-combination: the short form makes an operator combination (the SBCL differential
cases check its answers); the long form is refused with a PROGRAM-ERROR that says so."""

from lisp_eval import show


def test_the_long_form_is_a_program_error_saying_it_is_not_implemented():
    assert show("(handler-case (macroexpand-1 '(define-method-combination dmct-long () "
                "((around (:around))) (list around))) (program-error (e) (princ-to-string e)))") == (
        '"DEFINE-METHOD-COMBINATION DMCT-LONG: the long form (a lambda list and method groups) is '
        'not implemented, only the short form"')


def test_the_operator_may_be_a_macro_and_runs_as_in_code():
    assert show("(progn (define-method-combination dmct-or :operator or)"
                " (defgeneric dmct-g (x) (:method-combination dmct-or))"
                " (defmethod dmct-g dmct-or ((x integer)) (and (evenp x) :even))"
                " (defmethod dmct-g dmct-or ((x number)) :number)"
                " (list (dmct-g 2) (dmct-g 3) (dmct-g 1.5)))") == "(:EVEN :NUMBER :NUMBER)"


def test_a_method_qualified_with_the_combination_of_another_package_symbol_is_refused_at_the_call():
    assert show("(progn (define-method-combination dmct-plus :operator +)"
                " (defgeneric dmct-h (x) (:method-combination dmct-plus))"
                " (defmethod dmct-h :dmct-plus ((x integer)) 1)"
                " (handler-case (dmct-h 1) (error () :refused)))") == ":REFUSED"
