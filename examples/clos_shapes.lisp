;;;; Shapes: classes with accessors and initforms, a generic function per operation, and
;;;; COLLIDE, a multimethod chosen by the classes of BOTH arguments.

(defclass shape ()
  ((name :initarg :name :initform "shape" :reader shape-name)))

(defclass circle (shape)
  ((radius :initarg :radius :accessor radius))
  (:default-initargs :name "circle"))

(defclass rectangle (shape)
  ((width :initarg :width :accessor width)
   (height :initarg :height :accessor height))
  (:default-initargs :name "rectangle"))

(defclass square (rectangle) ()
  (:default-initargs :name "square"))

(defmethod initialize-instance :after ((s square) &key side)
  (when side
    (setf (width s) side (height s) side)))

(defmethod print-object ((s shape) stream)
  (format stream "#<~a>" (shape-name s)))

(defgeneric area (shape)
  (:documentation "The area of a shape."))

(defmethod area ((c circle)) (* 3 (radius c) (radius c)))
(defmethod area ((r rectangle)) (* (width r) (height r)))

(defgeneric describe-shape (shape)
  (:method-combination list :most-specific-last))

(defmethod describe-shape list ((s shape)) "a shape")
(defmethod describe-shape list ((r rectangle)) "with four corners")
(defmethod describe-shape list ((s square)) "all sides equal")

;;; Collisions: the method depends on the classes of both shapes.
(defgeneric collide (a b))

(defmethod collide ((a shape) (b shape))
  (format nil "~a and ~a pass each other" (shape-name a) (shape-name b)))

(defmethod collide ((a circle) (b circle))
  "bounce")

(defmethod collide ((a circle) (b rectangle))
  (format nil "the circle rolls off the ~a" (shape-name b)))

(defmethod collide ((a rectangle) (b circle))
  (format nil "the ~a squashes the circle" (shape-name a)))

(defmethod collide ((a square) (b square))
  (format nil "stack (~a)" (call-next-method)))

(defmethod collide :around ((a shape) (b shape))
  (let ((result (call-next-method)))
    (if (stringp result) (string-upcase result) result)))

;;; An eql specializer: collisions with the keyword :wall.
(defmethod collide ((a shape) (b (eql :wall)))
  (format nil "~a hits the wall" (shape-name a)))

(defparameter *shapes*
  (list (make-instance 'circle :radius 2)
        (make-instance 'rectangle :width 3 :height 4)
        (make-instance 'square :side 5)))

(dolist (s *shapes*)
  (format t "~a: area ~d~%" s (area s)))

(format t "~{~a~^, ~}~%" (describe-shape (third *shapes*)))

(dolist (a *shapes*)
  (dolist (b *shapes*)
    (format t "~a x ~a: ~a~%" a b (collide a b))))

(format t "~a~%" (collide (first *shapes*) :wall))
(format t "~a~%" (handler-case (area 42)
                   (error () "no area for 42")))
