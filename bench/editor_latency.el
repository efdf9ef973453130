;;; editor_latency.el --- time M-x slime-connect to a usable REPL, for bench/editor_latency.py  -*- lexical-binding: t -*-

;; emacs --batch -Q -l editor_latency.el, with GFJIT_SLIME_DIR, GFJIT_SWANK_PORT and
;; GFJIT_CONNECTS.  Connects GFJIT_CONNECTS times (disconnecting in between); for each prints
;;   CONNECT <seconds to the REPL's prompt> <seconds to the value of (+ 1 2) typed at it>
;; counted from the call of `slime-connect'.

(add-to-list 'load-path (getenv "GFJIT_SLIME_DIR"))
(require 'slime)
(slime-setup '(slime-fancy))

(defun bench-wait (predicate)
  (let ((deadline (+ (float-time) 120)))
    (while (not (funcall predicate))
      (when (> (float-time) deadline) (error "timed out"))
      (accept-process-output nil 0.001))))

(defun bench-repl-ready-p ()
  (and (slime-connected-p) (not (slime-busy-p))
       (ignore-errors (with-current-buffer (slime-output-buffer)
                        (and slime-repl-input-start-mark (> (point-max) 1))))))

(dotimes (_ (string-to-number (getenv "GFJIT_CONNECTS")))
  (let ((start (float-time)) prompt)
    (slime-connect "127.0.0.1" (string-to-number (getenv "GFJIT_SWANK_PORT")))
    (bench-wait #'bench-repl-ready-p)
    (setq prompt (- (float-time) start))
    (with-current-buffer (slime-output-buffer)
      (goto-char (point-max))
      (let ((before (point-max)))
        (insert "(+ 1 2)")
        (slime-repl-return)
        (bench-wait (lambda () (and (not (slime-busy-p))
                                    (save-excursion (goto-char before) (search-forward "3" nil t)))))))
    (princ (format "CONNECT %f %f\n" prompt (- (float-time) start)))
    (let ((repl (slime-output-buffer)))
      (slime-disconnect-all)
      (bench-wait (lambda () (not (slime-connected-p))))
      (kill-buffer repl))))
(kill-emacs 0)
