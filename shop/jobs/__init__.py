"""Background work: the Huey queue, tasks that run in their own app context, job progress."""
