"""The Manage page: one person's programmes, and what they can do in each (a cross-programme page)."""
