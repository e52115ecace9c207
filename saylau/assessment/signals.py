"""What the assessment app announces to apps built on it (certificates), so that it imports none of them."""

from django.dispatch import Signal

# Sent after the transaction that submitted (or regraded) an attempt commits; ``attempt`` is the Attempt.
attempt_scored = Signal()
