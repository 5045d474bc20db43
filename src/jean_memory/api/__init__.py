"""The REST API under ``/api/v1``, authenticated by personal API keys."""
