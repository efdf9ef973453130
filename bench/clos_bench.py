"""CLOS measurements for bench/lisp_bench.py (issue 5): generic-function calls against a plain
Lisp function, SBCL's generic functions, a CLOS-heavy workload, and defmethod-to-native latency.
Run: python bench/clos_bench.py [--quick]. Prints a table of medians (ns per call) and ratios."""

import shutil
import statistics
import subprocess
import sys
import time

import lisp
import lisp.clos

lisp.clos.install()
QUICK = "--quick" in sys.argv
N = 200_000 if QUICK else 1_000_000
REPEAT = 3 if QUICK else 5

SETUP = """
(defclass b-a () ()) (defclass b-b (b-a) ())
(defgeneric gf1 (x)) (defmethod gf1 ((x b-b)) 2)
(defgeneric gf2 (x y)) (defmethod gf2 ((x b-b) (y b-a)) 2)
(defgeneric gf1i (x)) (defmethod gf1i ((x b-a)) 1) (defmethod gf1i ((x b-b)) 2)
(defun plain1 (x) (if x 2 1))
(defun plain2 (x y) (if y 2 1))
(defparameter *b* (make-instance 'b-b)) (defparameter *a* (make-instance 'b-a))
(defun loop-gf1 (n) (let ((o *b*)) (dotimes (i n) (gf1 o))))
(defun loop-gf1i (n) (let ((o *b*)) (dotimes (i n) (gf1i o))))
(defun loop-gf2 (n) (let ((o *b*) (p *a*)) (dotimes (i n) (gf2 o p))))
(defun loop-plain1 (n) (let ((o *b*)) (dotimes (i n) (plain1 o))))
(defun loop-plain2 (n) (let ((o *b*) (p *a*)) (dotimes (i n) (plain2 o p))))
(defun loop-empty (n) (let ((o *b*)) (dotimes (i n) o)))
;; CLOS-heavy: 10 classes, a primary method each, :around methods on a superclass.
(defclass w-base () ((n :initform 1 :accessor w-n)))
(defclass w-mid (w-base) ())
(defgeneric work (x))
(defmethod work :around ((x w-mid)) (+ 1 (call-next-method)))
(defmethod work ((x w-base)) (w-n x))
(defparameter *ws*
  (loop for i below 10
        collect (let ((name (intern (format nil "W-~d" i))))
                  (eval `(defclass ,name (,(if (evenp i) 'w-mid 'w-base)) ()))
                  (eval `(defmethod work ((x ,name)) (+ ,i (call-next-method))))
                  (make-instance name))))
(defun loop-work (n) (let ((sum 0))
  (dotimes (i (floor n 10) sum) (dolist (o *ws*) (setf sum (+ sum (work o)))))))
(defun plain-work (x) (+ 1 (w-n x)))
(defun loop-plain-work (n) (let ((sum 0))
  (dotimes (i (floor n 10) sum) (dolist (o *ws*) (setf sum (+ sum (plain-work o)))))))
"""

SBCL = """
(defclass b-a () ()) (defclass b-b (b-a) ())
(defgeneric gf1 (x)) (defmethod gf1 ((x b-a)) 1) (defmethod gf1 ((x b-b)) 2)
(defgeneric gf2 (x y)) (defmethod gf2 ((x b-a) (y b-a)) 1) (defmethod gf2 ((x b-b) (y b-a)) 2)
(declaim (notinline plain1 plain2 gf1 gf2))
(defun plain1 (x) (if x 2 1))
(defun plain2 (x y) (if y 2 1))
(defparameter *b* (make-instance 'b-b)) (defparameter *a* (make-instance 'b-a))
(defun time-ns (fn n) (let ((s (get-internal-real-time))) (funcall fn n)
  (/ (* 1e9 (/ (- (get-internal-real-time) s) internal-time-units-per-second)) n)))
(defun loop-gf1 (n) (let ((o *b*)) (dotimes (i n) (gf1 o))))
(defun loop-gf2 (n) (let ((o *b*) (p *a*)) (dotimes (i n) (gf2 o p))))
(defun loop-plain1 (n) (let ((o *b*)) (dotimes (i n) (plain1 o))))
(defun loop-plain2 (n) (let ((o *b*) (p *a*)) (dotimes (i n) (plain2 o p))))
(dolist (f '(loop-gf1 loop-gf2 loop-plain1 loop-plain2)) (funcall f 100000))
(dolist (f '(loop-plain1 loop-gf1 loop-plain2 loop-gf2))
  (format t "~a ~,2f~%" f (let ((xs (loop repeat 5 collect (time-ns f 10000000)))) (nth 2 (sort xs #'<)))))
"""


def per_call_ns(name, n):
    fn = lisp.function(name)
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        fn(n)
        times.append((time.perf_counter() - t0) / n * 1e9)
    return statistics.median(times)


def main():
    lisp.eval_string(SETUP)
    for name in ("loop-gf1", "loop-gf1i", "loop-gf2", "loop-work"):
        lisp.function(name)(1000)
    for gf in ("gf1", "gf1i", "gf2", "work", "w-n"):
        lisp.eval_string(f"(compile-generic-function #'{gf})")
    rows = {k: per_call_ns(k, N) for k in ("loop-empty", "loop-plain1", "loop-gf1", "loop-gf1i",
                                           "loop-plain2", "loop-gf2")}
    print(f"{'case':40} {'ns/call':>9} {'ratio':>7}")
    print(f"{'plain Lisp function, 1 arg':40} {rows['loop-plain1']:9.1f} {1.0:7.2f}")
    print(f"{'generic function, 1 dispatched arg':40} {rows['loop-gf1']:9.1f} "
          f"{rows['loop-gf1'] / rows['loop-plain1']:7.2f}")
    print(f"{'generic function, 1 arg, inherited method':40} {rows['loop-gf1i']:9.1f} "
          f"{rows['loop-gf1i'] / rows['loop-plain1']:7.2f}")
    print(f"{'plain Lisp function, 2 args':40} {rows['loop-plain2']:9.1f} {1.0:7.2f}")
    print(f"{'generic function, 2 dispatched args':40} {rows['loop-gf2']:9.1f} "
          f"{rows['loop-gf2'] / rows['loop-plain2']:7.2f}")
    print(f"(empty loop iteration: {rows['loop-empty']:.1f} ns, included in every row)")
    if shutil.which("sbcl"):
        out = subprocess.run(["sbcl", "--noinform", "--non-interactive", "--eval",
                              f"(progn {SBCL})"], capture_output=True, text=True).stdout
        sb = dict(line.split() for line in out.splitlines() if line.startswith("LOOP"))
        sb = {k: float(v) for k, v in sb.items()}
        print(f"SBCL: plain 1 arg {sb['LOOP-PLAIN1']:.2f} ns, gf 1 arg {sb['LOOP-GF1']:.2f} ns, "
              f"plain 2 args {sb['LOOP-PLAIN2']:.2f} ns, gf 2 args {sb['LOOP-GF2']:.2f} ns")
        print(f"gfjit gf / SBCL gf: 1 arg {rows['loop-gf1'] / sb['LOOP-GF1']:.1f}x, "
              f"2 args {rows['loop-gf2'] / sb['LOOP-GF2']:.1f}x")
    work = per_call_ns("loop-work", N)
    base = per_call_ns("loop-plain-work", N)
    print(f"CLOS-heavy: {N} calls over 10 classes, each method calling call-next-method, 5 "
          f":around methods: {work * N / 1e9:.2f} s ({work:.0f} ns/call); the same loop calling a "
          f"plain function that reads the slot: {base:.0f} ns/call ({work / base:.1f}x)")
    # defmethod -> native dispatcher covering it, through the background compiler.
    latencies = []
    for i in range(20 if QUICK else 50):
        lisp.eval_string(f"(defclass lat-{i} () ()) (defparameter *lat-{i}* (make-instance 'lat-{i}))")
        gf = lisp.function("gf1")
        t0 = time.perf_counter()
        lisp.eval_string(f"(defmethod gf1 ((x lat-{i})) {i})")
        lisp.eval_string(f"(gf1 *lat-{i}*)")
        installs = gf.stats.installs
        while gf.stats.installs == installs:
            time.sleep(0.0005)
        latencies.append(time.perf_counter() - t0)
    latencies.sort()
    print(f"defmethod to native dispatcher (background compile): median "
          f"{statistics.median(latencies) * 1e3:.1f} ms, max {latencies[-1] * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
