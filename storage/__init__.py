"""Persistence: Postgres (asyncpg), Redis, and audio files. Knows nothing of pipelines."""
