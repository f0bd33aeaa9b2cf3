"""Find any event: one page, `/events`, of every programme's upcoming events with filters, and the same list
as a calendar to subscribe to. It reads the programmes through the booking core (`bookings.public`)."""
