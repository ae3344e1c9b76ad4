"""Thin rx.State adapters, one per feature. Handlers re-derive the user from the session."""
