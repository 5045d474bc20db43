"""Jean Memory: a self-hostable personal memory service for AI assistants."""

__version__ = "0.1.0"
