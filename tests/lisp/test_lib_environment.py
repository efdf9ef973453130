"""Time and environment functions."""

from lisp_results import results, value


def test_decode_universal_time_gives_nine_values_in_a_zone() -> None:
    assert results("(decode-universal-time 3900000000 0)") == "(0 20 21 2 8 2023 2 NIL 0)"


def test_encode_universal_time_is_the_inverse_of_decode() -> None:
    assert results("(encode-universal-time 0 0 0 1 1 2000 0)") == "(3155673600)"
    assert results("(subseq (multiple-value-list (decode-universal-time"
                   " (encode-universal-time 5 4 3 2 1 2001 -2) -2)) 0 6)") == "((5 4 3 2 1 2001))"


def test_time_reports_on_trace_output_and_returns_the_values() -> None:
    assert value("""
        (let* ((*trace-output* (make-string-output-stream))
               (vals (multiple-value-list (time (values 1 2))))
               (report (get-output-stream-string *trace-output*)))
          (list vals (search "seconds of real time" report) ))""").startswith("((1 2) ")


def test_internal_real_time_does_not_go_backwards() -> None:
    assert value("(let ((a (get-internal-real-time))) (<= a (get-internal-real-time)))") == "T"
