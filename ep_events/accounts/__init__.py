"""People, their roles per programme and organisation, and signing in."""
