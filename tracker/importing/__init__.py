"""Importing what a Board already keeps elsewhere: its action log (``tracker import actions``)."""
