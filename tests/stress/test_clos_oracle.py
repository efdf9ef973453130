"""The reference model against hand-worked examples of the standard (CLHS 7.6.6)."""

from stress.clos_oracle import EqlSpec, Expected, MethodSpec, Raised, expected_call, sorted_applicable, with_method


class A: pass
class B(A): pass
class C(A): pass
class D(B, C): pass


def ids(methods):
    return [m.ident for m in methods]


def test_methods_sort_by_class_precedence_of_the_argument():
    ms = [MethodSpec("a", (A,), None), MethodSpec("c", (C,), None), MethodSpec("b", (B,), None), MethodSpec("o", (object,), None)]
    assert ids(sorted_applicable(ms, [D()])) == ["b", "c", "a", "o"]


def test_eql_is_more_specific_than_any_class_and_matches_by_value_for_ints():
    ms = [MethodSpec("int", (int,), None), MethodSpec("five", (EqlSpec(5),), None)]
    assert ids(sorted_applicable(ms, [5])) == ["five", "int"]
    assert ids(sorted_applicable(ms, [6])) == ["int"]


def test_eql_on_an_object_matches_by_identity():
    token = A()
    ms = [MethodSpec("it", (EqlSpec(token),), None)]
    assert ids(sorted_applicable(ms, [token])) == ["it"] and sorted_applicable(ms, [A()]) == []


def test_leftmost_argument_decides_first_unless_precedence_order_says_otherwise():
    ms = [MethodSpec("ab", (B, A), None), MethodSpec("ba", (A, B), None)]
    assert ids(sorted_applicable(ms, [B(), B()])) == ["ab", "ba"]
    assert ids(sorted_applicable(ms, [B(), B()], order=[1, 0])) == ["ba", "ab"]


def test_standard_combination_runs_arounds_befores_primaries_afters():
    ms = [
        MethodSpec("around-a", (A,), "around", "next"),
        MethodSpec("before-a", (A,), "before"), MethodSpec("before-b", (B,), "before"),
        MethodSpec("after-a", (A,), "after"), MethodSpec("after-b", (B,), "after"),
        MethodSpec("p-b", (B,), None, "next"), MethodSpec("p-a", (A,), None),
    ]
    got = expected_call(ms, [B()])
    assert got.trace == ("around-a", "before-b", "before-a", "p-b", "p-a", "after-a", "after-b")
    assert got.outcome == ("around", "around-a", ("p", "p-b", ("p", "p-a")))


def test_next_method_without_a_next_is_an_error_and_next_method_p_is_false():
    assert expected_call([MethodSpec("p", (A,), None, "next")], [A()]).outcome == Raised("no-next-method")
    assert expected_call([MethodSpec("p", (A,), None, "next-if")], [A()]).outcome == ("p", "p", None)


def test_only_qualified_methods_is_no_primary_method_and_none_is_no_applicable_method():
    assert expected_call([MethodSpec("b", (A,), "before")], [A()]) == Expected(Raised("no-primary-method"), ())
    assert expected_call([MethodSpec("p", (B,), None)], [A()]).outcome == Raised("no-applicable-method")


def test_a_raising_before_stops_the_call_after_noting_itself():
    ms = [MethodSpec("b", (A,), "before", "raise"), MethodSpec("p", (A,), None)]
    assert expected_call(ms, [A()]) == Expected(Raised("method-raised"), ("b",))


def test_plus_combination_sums_primaries_inside_arounds():
    ms = [MethodSpec("x", (A,), "+", value=2), MethodSpec("y", (B,), "+", value=3), MethodSpec("r", (A,), "around", "next")]
    assert expected_call(ms, [B()], "+") == Expected(("around", "r", 5), ("r", "y", "x"))


def test_and_combination_stops_at_the_first_false_value_most_specific_last_reverses():
    ms = [MethodSpec("a", (A,), "and", value=0), MethodSpec("b", (B,), "and", value=4)]
    assert expected_call(ms, [B()], "and") == Expected(0, ("b", "a"))
    assert expected_call(ms, [B()], "and", most_specific_last=True) == Expected(0, ("a",))


def test_a_method_with_the_same_specializers_and_qualifier_replaces_the_old_one():
    old, new = MethodSpec("old", (EqlSpec(3),), None), MethodSpec("new", (EqlSpec(3),), None)
    assert with_method((old,), new) == (new,)
    assert len(with_method((old,), MethodSpec("q", (EqlSpec(3),), "before"))) == 2
