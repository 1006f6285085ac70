"""Stagecraft: an interactive learning platform for backend development."""

__version__ = "0.1.0"
