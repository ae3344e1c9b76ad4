"""The bridge that pushes changes to connected tabs. Knows Reflex, never imports states."""
