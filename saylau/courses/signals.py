"""What the courses app announces to apps built on it (certificates), so that it imports none of them."""

from django.dispatch import Signal

# Sent after the transaction in which a learner met the course's completion rule commits; ``enrolment``.
course_completed = Signal()
