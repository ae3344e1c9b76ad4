"""Reference servers the benchmark runs beside the app, doing the same per-message work."""
