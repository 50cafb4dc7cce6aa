"""The model tests use the session-wide fixtures of ``tests/conftest.py``."""
