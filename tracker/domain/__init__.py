"""The domain: aggregates, events and rules. Imports only the standard library and
``eventsourcing.domain``; a test keeps it that way."""
