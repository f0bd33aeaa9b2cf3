"""Public pages: home, accessibility, privacy, cookies, health check, development mailbox."""
