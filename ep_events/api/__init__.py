"""Read-only JSON API of upcoming events, described by an OpenAPI 3.1 document."""
