"""Numbers: arithmetic, CL division with two values, ratios, contagion, the numeric functions."""

import pytest
from lisp_results import results

NUMBER_CASES = [
    ('(+ 1 2 3)', '(6)'),
    ('(+)', '(0)'),
    ('(+ 1/3 0.5)', '(0.8333333333333333)'),
    ('(- 5)', '(-5)'),
    ('(- 10 1 2)', '(7)'),
    ('(* 2 3/4)', '(3/2)'),
    ('(/ 1 3)', '(1/3)'),
    ('(/ 6 3)', '(2)'),
    ('(/ 2)', '(1/2)'),
    ('(/ 1.0 4)', '(0.25)'),
    ('(/ 1 0)', 'DIVISION-BY-ZERO'),
    ('(/ 1.0 0)', 'DIVISION-BY-ZERO'),
    ('(expt 10.0 400)', 'FLOATING-POINT-OVERFLOW'),
    ('(exp 1000)', 'FLOATING-POINT-OVERFLOW'),
    ('(cosh 1000)', 'FLOATING-POINT-OVERFLOW'),
    ('(float (expt 10 400))', 'FLOATING-POINT-OVERFLOW'),
    ('(handler-case (exp 1000) (arithmetic-error (c) (list (arithmetic-error-operation c) (arithmetic-error-operands c))))',
     '((EXP (1000)))'),
    ('(= 1 1.0)', '(T)'),
    ('(eql 1 1.0)', '(NIL)'),
    ('(= 1 1 2)', '(NIL)'),
    ('(/= 1 2 1)', '(NIL)'),
    ('(< 1 2 3)', '(T)'),
    ('(< 1 3 2)', '(NIL)'),
    ('(>= 3 3 1)', '(T)'),
    ('(max 1 5 3)', '(5)'),
    ('(min 1/2 0.25)', '(0.25)'),
    ('(floor 7 2)', '(3 1)'),
    ('(floor -7 2)', '(-4 1)'),
    ('(ceiling 7 2)', '(4 -1)'),
    ('(truncate -7 2)', '(-3 -1)'),
    ('(round 5 2)', '(2 1)'),
    ('(round 7 2)', '(4 -1)'),
    ('(round -2.5)', '(-2 -0.5)'),
    ('(floor 5.5 2)', '(2 1.5)'),
    ('(floor 7/2)', '(3 1/2)'),
    ('(ffloor 7 2)', '(3.0 1)'),
    ('(mod -7 2)', '(1)'),
    ('(rem -7 2)', '(-1)'),
    ('(mod 7.5 2)', '(1.5)'),
    ('(mod -5d-324 2)', '(2.0)'),  # SBCL: the quotient underflows, the remainder does not
    ('(floor -0.0 2)', '(0 -0.0)'),
    ('(floor -7 2.5)', '(-3 0.5)'),
    ('(expt 2 10)', '(1024)'),
    ('(expt 2 -2)', '(1/4)'),
    ('(expt 2/3 3)', '(8/27)'),
    ('(expt 2.0 3)', '(8.0)'),
    ('(expt 4 1/2)', '(2.0)'),
    ('(expt 0 0)', '(1)'),
    ('(sqrt 16)', '(4.0)'),
    ('(sqrt -4)', '(#C(0.0 2.0))'),
    ('(isqrt 17)', '(4)'),
    ('(gcd 12 18 -8)', '(2)'),
    ('(gcd)', '(0)'),
    ('(lcm 4 6)', '(12)'),
    ('(lcm)', '(1)'),
    ('(abs -3/4)', '(3/4)'),
    ('(signum -5)', '(-1)'),
    ('(signum 2.5)', '(1.0)'),
    ('(float 1/4)', '(0.25)'),
    ('(rational 0.5)', '(1/2)'),
    ('(rationalize 0.1)', '(1/10)'),
    ('(numerator 6/4)', '(3)'),
    ('(denominator 6/4)', '(2)'),
    ('(logand 12 10)', '(8)'),
    ('(logior 12 10)', '(14)'),
    ('(logxor 12 10)', '(6)'),
    ('(lognot 5)', '(-6)'),
    ('(ash 1 10)', '(1024)'),
    ('(ash -16 -2)', '(-4)'),
    ('(logcount 7)', '(3)'),
    ('(integer-length 255)', '(8)'),
    ('(logbitp 1 6)', '(T)'),
    ('(evenp 4)', '(T)'),
    ('(oddp -3)', '(T)'),
    ('(zerop 0.0)', '(T)'),
    ('(plusp -1)', '(NIL)'),
    ('(1+ 1/2)', '(3/2)'),
    ('(1- 0)', '(-1)'),
    ('(parse-integer "  42  ")', '(42 6)'),
    ('(parse-integer "ff" :radix 16)', '(255 2)'),
    ('(parse-integer "12abc" :junk-allowed t)', '(12 2)'),
    ('(parse-integer "12abc")', 'PARSE-ERROR'),
    ('(complex 1 0)', '(1)'),
    ('(realpart 5)', '(5)'),
    ('(exp 0)', '(1.0)'),
    ('(log 1)', '(0.0)'),
    ('(log 8 2)', '(3.0)'),
    ('(atan 1 1)', '(0.7853981633974483)'),
    ("(+ 1 'a)", ':TYPE-ERROR'),
    ('(< 1 #c(1.0 2.0))', ':TYPE-ERROR'),
    ('(integerp 3/1)', '(T)'),
    ('(rationalp 1/2)', '(T)'),
    ('(floatp 1.0)', '(T)'),
    ("(numberp 'a)", '(NIL)'),
    ('(random 1)', '(0)'),
    ('(truncate 1 0)', 'DIVISION-BY-ZERO'),
    ('(car 5)', ':TYPE-ERROR'),
    ('(acosh 1)', '(0.0)'),
    ('(asinh 0)', '(0.0)'),
    ('(atanh 0.5)', '(0.5493061443340548)'),
    ('(acosh 0.5)', '(#C(0.0 1.0471975511965979))'),
    ('(lognand 12 10)', '(-9)'),
    ('(lognor 12 10)', '(-15)'),
    ('(logandc1 12 10)', '(2)'),
    ('(logandc2 12 10)', '(4)'),
    ('(logorc1 12 10)', '(-5)'),
    ('(logorc2 12 10)', '(-3)'),
    ('(boole boole-and 12 10)', '(8)'),
    ('(boole boole-xor 12 10)', '(6)'),
    ('(boole boole-c1 12 10)', '(-13)'),
    ('(ldb (byte 4 4) 255)', '(15)'),
    ('(ldb (byte 8 0) -1)', '(255)'),
    ('(dpb 1 (byte 1 3) 0)', '(8)'),
    ('(dpb 15 (byte 4 4) 0)', '(240)'),
    ('(mask-field (byte 4 4) 255)', '(240)'),
    ('(deposit-field 255 (byte 4 4) 0)', '(240)'),
    ('(ldb-test (byte 2 0) 4)', '(NIL)'),
    ('(byte-size (byte 3 5))', '(3)'),
    ('(decode-float 8.0)', '(0.5 4 1.0)'),
    ('(decode-float -0.5)', '(0.5 0 -1.0)'),
    ('(integer-decode-float 1.0)', '(4503599627370496 -52 1)'),
    ('(integer-decode-float -2.5)', '(5629499534213120 -51 -1)'),
    ('(scale-float 1.0 3)', '(8.0)'),
    ('(float-sign -2.0)', '(-1.0)'),
    ('(float-sign 2.0 -3.0)', '(3.0)'),
    ('(float-digits 1.0)', '(53)'),
    ('(float-radix 1.0)', '(2)'),
]


@pytest.mark.parametrize(("form", "expected"), NUMBER_CASES, ids=[form for form, _ in NUMBER_CASES])
def test_number_function_gives_the_standard_result(form: str, expected: str) -> None:
    assert results(form) == expected


def test_open_coded_ratio_sum_with_denominator_one_is_an_integer() -> None:
    assert results("(+ 1/2 1/2)") == "(1)"


def test_ratio_results_with_denominator_one_are_integers() -> None:
    assert results("(funcall #'+ 1/2 1/2)") == "(1)"
    assert results("(funcall #'* 2/3 3/2)") == "(1)"
    assert results("(apply #'- '(3/2 1/2))") == "(1)"


def test_float_contagion_makes_a_float_result() -> None:
    assert results("(funcall #'+ 1/2 0.5 1)") == "(2.0)"


def test_division_by_zero_names_the_operation_and_operands() -> None:
    assert results("(handler-case (floor 7 0) (division-by-zero (c)"
                   " (list (arithmetic-error-operation c) (arithmetic-error-operands c))))") == "((FLOOR (7 0)))"


def test_random_stays_below_its_limit_and_keeps_the_limit_type() -> None:
    assert results("(loop repeat 200 always (< -1 (random 10) 10))") == "(T)"
    assert results("(floatp (random 1.0))") == "(T)"
    assert results("(random 0)") == ":TYPE-ERROR"


def test_a_copied_random_state_repeats_the_same_numbers() -> None:
    assert results("(let* ((a (make-random-state)) (b (make-random-state a)))"
                   " (equal (loop repeat 5 collect (random 1000 a)) (loop repeat 5 collect (random 1000 b))))") == "(T)"


def test_comparisons_of_a_non_number_are_type_errors() -> None:
    assert results("(funcall #'< 1 'a)") == ":TYPE-ERROR"
    assert results("(funcall #'= 1 \"1\")") == ":TYPE-ERROR"


@pytest.mark.parametrize("form, operation", [
    ("(expt 10.0 400)", "EXPT"), ("(exp 1000)", "EXP"), ("(sinh 1000)", "SINH"),
    ("(scale-float 1.0 2000)", "SCALE-FLOAT"), ("(float (expt 10 400))", "FLOAT")])
def test_a_result_beyond_a_float_signals_floating_point_overflow_naming_the_operation(form, operation):
    assert results(f"(handler-case {form} (floating-point-overflow (c) (arithmetic-error-operation c)))") \
        == f"({operation})"


def test_expt_of_zero_to_a_negative_float_is_division_by_zero():
    assert results("(handler-case (expt 0.0 -1.5) (division-by-zero () :dz))") == "(:DZ)"
