"""UI widgets, one per file. Leaf widgets take plain values or vars, never services."""
