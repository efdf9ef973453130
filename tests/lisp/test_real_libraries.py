"""Real Lisp code written for other implementations, loaded unchanged: alexandria from Debian's
cl-alexandria sources (what `.ci/run` installs), its files in the order its .asd's dependencies
allow. (ASDF itself stops at its check of the implementation's name: see the README.)"""

import subprocess
import sys
from pathlib import Path

import pytest

ALEXANDRIA = Path("/usr/share/common-lisp/source/alexandria")
FILES = ["alexandria-1/" + f for f in (
    "package", "definitions", "binding", "strings", "conditions", "symbols", "macros", "functions",
    "lists", "types", "io", "hash-tables", "control-flow", "arrays", "sequences", "numbers",
    "features")] + ["alexandria-2/" + f for f in ("package", "arrays", "control-flow", "sequences", "lists")]

PROGRAM = """
(dolist (f '({files})) (load (format nil "{root}/~a.lisp" f)))
(print (list (alexandria:flatten '(1 (2 (3 4)) 5))
             (alexandria:iota 4 :start 1)
             (funcall (alexandria:compose #'1+ #'abs) -4)
             (alexandria:hash-table-alist (alexandria:alist-hash-table '((a . 1))))
             (alexandria:when-let (x (find 3 '(1 2 3))) (* x 10))
             (let ((n 0)) (list (square-once (incf n)) n))
             (alexandria:switch ("b" :test #'string=) ("a" 1) ("b" 2))
             (alexandria:clamp 15 0 10)))
"""


@pytest.mark.timeout(600)
@pytest.mark.skipif(not ALEXANDRIA.is_dir(), reason="cl-alexandria is not installed (apt-get install cl-alexandria)")
def test_alexandria_loads_from_its_sources_and_works(tmp_path):
    script = tmp_path / "alexandria.lisp"
    program = PROGRAM.format(files=" ".join(f'"{f}"' for f in FILES), root=ALEXANDRIA)
    # once-only, alexandria's macro-writing macro (nested backquotes with ,,@), used by a macro here:
    program = program.replace("(print", "(defmacro square-once (x)\n"
                              "  (alexandria:once-only (x) `(* ,x ,x)))\n(print", 1)
    script.write_text(program)
    done = subprocess.run([sys.executable, "-m", "lisp", "run", str(script)], capture_output=True, text=True,
                          timeout=580)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "((1 2 3 4 5) (1 2 3 4) 5 ((A . 1)) 30 (1 1) 2 10)"
