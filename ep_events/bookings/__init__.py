"""The shared booking core every programme kind builds on (see ARCHITECTURE.md)."""
