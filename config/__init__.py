"""Process configuration: one settings class, read from the environment and `.env`."""

from config.settings import Settings, get_settings

__all__ = ["Settings", "get_settings"]
