"""Domain rules over a database session. Never imports reflex."""
