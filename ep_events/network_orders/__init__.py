"""Where Network Days meet billing: an agency buys a membership or extra places, and an organiser cancels an
order. network_days and billing never import each other (ARCHITECTURE.md); this package calls each in turn."""
