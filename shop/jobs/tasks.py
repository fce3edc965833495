"""Every module that registers tasks, imported when the queue is built (shop/jobs/queue.py)
so the process using it knows them all (a consumer must know a task's name to run it)."""

TASK_MODULES = (
    "shop.accounts.tasks",
    "shop.catalog.tasks",
    "shop.jobs.failures",
    "shop.jobs.periodic",
    "shop.notifications.tasks",
    "shop.operator.tasks",
    "shop.outbox.tasks",
    "shop.products.tasks",
    "shop.reviews.tasks",
)
