"""MTC practice surgeries: dates, 40-minute slots, themes, bookings, waiting list, attendance."""
