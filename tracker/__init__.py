"""A public, event-sourced accountability tracker for citizen participation."""

__version__ = "0.1.0"
