"""A programme's invitation list: people who asked (double opt-in) to hear about its events, no account
needed; one-click unsubscribe (RFC 8058) and a suppression list."""
