"""What the training app announces to apps built on it (certificates), so that it imports none of them."""

from django.dispatch import Signal

# Sent after the transaction that closed an event commits; ``event`` is the Event now held.
event_closed = Signal()
