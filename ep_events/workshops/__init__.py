"""P&SD virtual workshops: registration, waiting list, resources after the event, feedback, attendance."""
