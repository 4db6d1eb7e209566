"""The resume brain: a pure library (no web, media or storage imports)."""
