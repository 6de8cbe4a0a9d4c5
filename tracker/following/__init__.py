"""Following by e-mail: double opt-in subscriptions, fan-out from the timeline, sending."""
