"""The HTTP face of the service (FastAPI): sessions, queries, offers, auth, limits, metrics, the page."""
