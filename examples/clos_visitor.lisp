;;;; A visitor over an expression tree: one generic function, VISIT, dispatched on the visitor
;;;; AND the node, so each visitor class says what it does with each node class.

(defclass node () ())
(defclass lit (node) ((value :initarg :value :reader value)))
(defclass ref (node) ((name :initarg :name :reader name)))
(defclass binary (node)
  ((left :initarg :left :reader left)
   (right :initarg :right :reader right)))
(defclass add (binary) ())
(defclass mul (binary) ())

(defun lit (v) (make-instance 'lit :value v))
(defun ref (n) (make-instance 'ref :name n))
(defun add (a b) (make-instance 'add :left a :right b))
(defun mul (a b) (make-instance 'mul :left a :right b))

(defgeneric visit (visitor node))

;;; Every visitor counts the nodes it sees, with a :before method on the common superclasses.
(defclass visitor () ((count :initform 0 :accessor visited)))
(defmethod visit :before ((v visitor) (n node))
  (incf (visited v)))

;;; Evaluation in an environment (an alist).
(defclass evaluator (visitor) ((env :initarg :env :reader env)))
(defmethod visit ((v evaluator) (n lit)) (value n))
(defmethod visit ((v evaluator) (n ref))
  (let ((binding (assoc (name n) (env v))))
    (if binding (cdr binding) (error "unbound variable ~a" (name n)))))
(defmethod visit ((v evaluator) (n add)) (+ (visit v (left n)) (visit v (right n))))
(defmethod visit ((v evaluator) (n mul)) (* (visit v (left n)) (visit v (right n))))

;;; Printing in infix notation.
(defclass infix-printer (visitor) ())
(defmethod visit ((v infix-printer) (n lit)) (format nil "~d" (value n)))
(defmethod visit ((v infix-printer) (n ref)) (string-downcase (symbol-name (name n))))
(defmethod visit ((v infix-printer) (n binary))
  (format nil "(~a ~a ~a)" (visit v (left n)) (operator n) (visit v (right n))))
(defgeneric operator (node))
(defmethod operator ((n add)) "+")
(defmethod operator ((n mul)) "*")

;;; Simplification: x*1 = x, x+0 = x, constant folding; the default rebuilds the node.
(defclass simplifier (visitor) ())
(defmethod visit ((v simplifier) (n node)) n)
(defmethod visit ((v simplifier) (n binary))
  (let ((l (visit v (left n)))
        (r (visit v (right n))))
    (simplify-pair n l r)))

(defgeneric simplify-pair (node left right))
(defmethod simplify-pair ((n add) (l lit) (r lit)) (lit (+ (value l) (value r))))
(defmethod simplify-pair ((n mul) (l lit) (r lit)) (lit (* (value l) (value r))))
(defmethod simplify-pair ((n add) l (r lit))
  (if (zerop (value r)) l (call-next-method)))
(defmethod simplify-pair ((n mul) l (r lit))
  (if (= 1 (value r)) l (call-next-method)))
(defmethod simplify-pair ((n binary) l r)
  (make-instance (class-of n) :left l :right r))

(defparameter *expr*
  (add (mul (ref 'x) (add (lit 2) (lit -1)))
       (mul (lit 3) (add (ref 'y) (lit 0)))))

(let ((p (make-instance 'infix-printer)))
  (format t "expression: ~a~%" (visit p *expr*))
  (format t "the printer visited ~d nodes~%" (visited p)))

(let ((e (make-instance 'evaluator :env '((x . 5) (y . 7)))))
  (format t "value at x=5, y=7: ~d~%" (visit e *expr*))
  (format t "the evaluator visited ~d nodes~%" (visited e)))

(let ((s (make-instance 'simplifier)))
  (format t "simplified: ~a~%" (visit (make-instance 'infix-printer) (visit s *expr*))))

(format t "~a~%" (handler-case (visit (make-instance 'evaluator :env nil) (ref 'z))
                   (error (c) (format nil "error: ~a" c))))
