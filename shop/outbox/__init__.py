"""Outgoing mail: written in the transaction that causes it, sent by a task with retries."""
