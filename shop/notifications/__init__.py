"""Notifications: an event recorded with the change that caused it, delivered by a task."""
