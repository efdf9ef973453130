"""On a free-threaded build (Py_GIL_DISABLED) invariant I1 does not hold, so dispatch must fall back
to the Python path with one warning (and the Lisp's native conses with one), and the Lisp must run on it. No free-threaded CPython is
installed here: the build is simulated by making `sysconfig` report Py_GIL_DISABLED before anything
of gfjit is imported (docs/free-threading.md says what a real one needs)."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_PROGRAM = textwrap.dedent("""
    import json, sysconfig, warnings
    real = sysconfig.get_config_var
    sysconfig.get_config_var = lambda name: 1 if name == "Py_GIL_DISABLED" else real(name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import dispatch
        from dispatch import generic

        @generic
        def size(x): ...

        @size.method
        def _(x: int): return "int"

        @size.method
        def _(x: str): return "str"

        answers = [size(i) for i in (1, "a", 2, "b")]
        import lisp
        lisp.eval_string("(defgeneric twice (x)) (defmethod twice ((x integer)) (* 2 x))")
        lisp_answer = lisp.eval_string("(twice 21)")
    print(json.dumps({"answers": answers, "lisp": lisp_answer, "native": size.stats.native,
                      "warnings": [str(w.message) for w in caught]}))
""")


@pytest.mark.timeout(120)
def test_a_free_threaded_build_gets_the_python_path_with_one_warning():
    done = subprocess.run([sys.executable, "-c", _PROGRAM], capture_output=True, text=True, timeout=110,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert (report["answers"], report["lisp"], report["native"]) == (["int", "str", "int", "str"], 42, False)
    # One warning for each native part that steps aside: dispatchers, and the Lisp's conses.
    assert sorted(w.split(" (")[0] for w in report["warnings"]) == [
        "gfjit: native conses disabled", "gfjit: native dispatch disabled"]
    assert all("free-threaded build" in w for w in report["warnings"])
