"""Every module that registers tasks, imported once so any process knows them all (a
consumer must know a task's name to run it)."""

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
