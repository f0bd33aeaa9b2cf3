"""Messages to everyone booked on an event, for any programme kind (one set of pages on the shared booking core)."""
