"""A real-time chat app written in Python on Reflex."""
