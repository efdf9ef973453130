;;; slime_driver.el --- SLIME at work against a gfjit swank server, for the tests  -*- lexical-binding: t -*-

;; Run by tests/editors/test_slime.py as
;;   emacs --batch -Q -l slime_driver.el
;; with GFJIT_SLIME_DIR (where slime.el is), GFJIT_SWANK_PORT (the server's port) and
;; GFJIT_WORK_DIR (a directory for Lisp files).  It connects with `slime-connect' and does what a
;; person does, with SLIME's own commands; each check prints one line on standard output,
;;   RESULT <name> <text>
;; (newlines in <text> written as \n), or "RESULT <name> ERROR <message>" if it failed; "DONE"
;; at the end.  Every wait has a deadline: nothing here can wait forever.

(add-to-list 'load-path (getenv "GFJIT_SLIME_DIR"))
(require 'slime-autoloads)
(require 'slime)
(slime-setup '(slime-fancy))

(defconst gfjit-port (string-to-number (getenv "GFJIT_SWANK_PORT")))
(defconst gfjit-work (file-name-as-directory (getenv "GFJIT_WORK_DIR")))
(defconst gfjit-timeout 60 "Seconds any one wait may take.")

(defun gfjit-report (name value)
  (princ (format "RESULT %s %s\n" name
                 (replace-regexp-in-string "\n" "\\n" (format "%s" value) t t))))

(defun gfjit-wait (what predicate)
  "Process SLIME's messages until PREDICATE is true; its value.  An error after the deadline."
  (let ((deadline (+ (float-time) gfjit-timeout))
        value)
    (while (not (setq value (funcall predicate)))
      (when (> (float-time) deadline)
        (error "timed out waiting for %s" what))
      (accept-process-output nil 0.01))
    value))

(defmacro gfjit-check (name &rest body)
  "Run BODY; report its value under NAME, or the error it signalled."
  (declare (indent 1))
  `(gfjit-report ,name (condition-case failure (progn ,@body)
                         (error (format "ERROR %s" (error-message-string failure))))))

(defun gfjit-repl-idle-p ()
  (and (not (slime-busy-p)) (not (sldb-get-default-buffer))))

(defun gfjit-repl-send (input)
  "Type INPUT at the REPL and press RET."
  (with-current-buffer (slime-output-buffer)
    (goto-char (point-max))
    (insert input)
    (slime-repl-return)))

(defun gfjit-repl-eval (input)
  "Type INPUT at the REPL, press RET, wait for the next prompt; what the REPL showed for it."
  (with-current-buffer (slime-output-buffer)
    (let ((start (point-max)))
      (gfjit-repl-send input)
      (gfjit-wait (format "the REPL to evaluate %s" input) #'gfjit-repl-idle-p)
      (string-trim (buffer-substring-no-properties (+ start (length input)) (point-max))))))

(defun gfjit-lisp-buffer (name text)
  "A buffer visiting the file NAME in the work directory, holding TEXT, in SLIME's Lisp mode."
  (let ((file (concat gfjit-work name)))
    (with-temp-file file (insert text))
    (with-current-buffer (find-file-noselect file)
      (lisp-mode)
      (slime-mode 1)
      (current-buffer))))

(defun gfjit-sldb ()
  "The debugger's buffer, once it shows the condition and its restarts."
  (let ((sldb (gfjit-wait "the debugger" #'sldb-get-default-buffer)))
    (with-current-buffer sldb
      (gfjit-wait "the debugger to show" (lambda () sldb-restarts)))
    sldb))

(defun gfjit-compile-defun-at (buffer text)
  "Compile (C-c C-c) the definition that starts with TEXT in BUFFER; SLIME's compilation result."
  (with-current-buffer buffer
    (goto-char (point-min))
    (search-forward text)
    (setq slime-last-compilation-result nil)
    (slime-compile-defun)
    (gfjit-wait "the compilation" (lambda () slime-last-compilation-result))))

(defun gfjit-highlighted (text)
  "TEXT without properties, what autodoc highlights as the argument at point in [brackets]."
  (let ((out "") (i 0))
    (while (< i (length text))
      (let ((next (or (next-single-property-change i 'face text) (length text))))
        (setq out (concat out (if (eq (get-text-property i 'face text) 'eldoc-highlight-function-argument)
                                  (format "[%s]" (substring-no-properties text i next))
                                (substring-no-properties text i next))))
        (setq i next)))
    out))

;;; Connecting

(defvar gfjit-connect-started (float-time))
(gfjit-check "connect"
  (slime-connect "127.0.0.1" gfjit-port)
  (gfjit-wait "the REPL" (lambda () (and (slime-connected-p) (not (slime-busy-p))
                                         (ignore-errors (with-current-buffer (slime-output-buffer)
                                                          (> (point-max) 1))))))
  (format "%s %s" (slime-connection-name) (slime-lisp-package)))
(gfjit-check "first-eval" (gfjit-repl-eval "(+ 1 2)"))
(gfjit-report "connect-seconds" (- (float-time) gfjit-connect-started))

;;; The REPL: values, output, the REPL variables

(gfjit-check "repl-output" (gfjit-repl-eval "(progn (princ \"hello\") (values 4 5))"))
(gfjit-check "repl-star" (gfjit-repl-eval "(list * ** ***)"))
(gfjit-check "interactive-eval" (slime-eval '(swank:interactive-eval "(* 6 7)")))

;;; Compiling: a definition, a note, M-.

(defvar gfjit-source
  (gfjit-lisp-buffer "defs.lisp"
                     (concat ";; Definitions compiled from a file buffer.\n\n"
                             "(defun twice (x)\n  \"Twice X.\"\n  (* x 2))\n\n"
                             "(defun broken (x)\n  (let ((y)) (+ x y 1 2 3))\n  (let 1))\n")))
(gfjit-check "compile-ok"
  (let ((result (gfjit-compile-defun-at gfjit-source "(defun twice")))
    (format "success=%s notes=%d" (slime-compilation-result.successp result)
            (length (slime-compilation-result.notes result)))))
(gfjit-check "call-compiled" (gfjit-repl-eval "(twice 21)"))
(gfjit-check "compile-note"
  (let* ((result (gfjit-compile-defun-at gfjit-source "(defun broken"))
         (note (car (slime-compilation-result.notes result))))
    (with-current-buffer gfjit-source
      (let ((overlay (cl-find-if (lambda (o) (overlay-get o 'slime-note))
                                 (overlays-in (point-min) (point-max)))))
        (format "success=%s severity=%s message=%s highlighted-line=%s"
                (slime-compilation-result.successp result)
                (plist-get note :severity) (plist-get note :message)
                (and overlay (line-number-at-pos (overlay-start overlay))))))))
(gfjit-check "edit-definition"
  (slime-edit-definition "twice")
  (format "%s:%d:%s" (file-name-nondirectory (or (buffer-file-name) "")) (line-number-at-pos)
          (buffer-substring-no-properties (point) (line-end-position))))
(gfjit-check "edit-definition-builtin"
  (slime-edit-definition "mapcar")
  (format "%s %s" (file-name-nondirectory (or (buffer-file-name) ""))
          (buffer-substring-no-properties (line-beginning-position) (line-end-position))))

;;; Completion and the argument list in the echo area

(defvar gfjit-scratch (gfjit-lisp-buffer "scratch.lisp" ""))
(gfjit-check "complete-symbol"
  (with-current-buffer gfjit-scratch
    (erase-buffer)
    (insert "(multiple-value-bi")
    (completion-at-point)
    (buffer-substring-no-properties (point-min) (point-max))))
(gfjit-check "complete-compound"
  (with-current-buffer gfjit-scratch
    (erase-buffer)
    (insert "(m-v-bi")
    (completion-at-point)
    (buffer-substring-no-properties (point-min) (point-max))))
(gfjit-check "autodoc"
  (with-current-buffer gfjit-scratch
    (erase-buffer)
    (insert "(twice ")
    (gfjit-highlighted (gfjit-wait "the argument list" #'slime-autodoc))))

;;; The debugger: a restart chosen, an interrupt

(gfjit-check "sldb-restart"
  (gfjit-repl-send "(restart-case (error \"boom ~a\" 7) (use-42 () :report \"Use 42.\" 42))")
  (with-current-buffer (gfjit-sldb)
    (let ((condition (car sldb-condition))
          (names (mapcar #'car sldb-restarts)))
      (sldb-invoke-restart (cl-position "USE-42" names :test #'equal))
      (gfjit-wait "the REPL" #'gfjit-repl-idle-p)
      (format "condition=%s restarts=%s repl=%s" condition names
              (with-current-buffer (slime-output-buffer)
                (string-trim (buffer-substring-no-properties (- (point-max) 20) (point-max))))))))
(gfjit-check "sldb-frame"
  (gfjit-repl-send "(defun f (n) (/ 10 n))")
  (gfjit-wait "the REPL" #'gfjit-repl-idle-p)
  (gfjit-repl-send "(f 0)")
  (with-current-buffer (gfjit-sldb)
    (let ((frames (mapcar #'cadr (slime-eval '(swank:backtrace 0 2))))
          (locals (slime-eval '(swank:frame-locals-and-catch-tags 1)))
          (value (slime-eval '(swank:eval-string-in-frame "(+ n 100)" 1 "COMMON-LISP-USER"))))
      (sldb-quit)
      (gfjit-wait "the REPL" #'gfjit-repl-idle-p)
      (format "frames=%S locals=%S eval=%s" frames locals value))))
(gfjit-check "interrupt"
  ;; (The output is made at run time, so that the input echoed does not count as it.)
  (gfjit-repl-send "(progn (princ (concatenate 'string \"loop\" \"ing\")) (finish-output) (loop))")
  (with-current-buffer (slime-output-buffer)
    (gfjit-wait "the loop to start" (lambda () (save-excursion (goto-char (point-max))
                                                               (search-backward "looping" nil t)))))
  (with-current-buffer (slime-output-buffer) (slime-interrupt))
  (with-current-buffer (gfjit-sldb)
    (let ((condition (car sldb-condition)))
      (sldb-quit)
      (gfjit-wait "the REPL" #'gfjit-repl-idle-p)
      (format "condition=%s after=%s" condition (gfjit-repl-eval "(+ 2 2)")))))

(slime-disconnect-all)
(princ "DONE\n")
(kill-emacs 0)
