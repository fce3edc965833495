"""What `huey_consumer shop.jobs.worker.huey` loads: the app its tasks run in, every
module that defines tasks, and the failure recorder."""

from shop import create_app
from shop.jobs.queue import huey  # noqa: F401  (the consumer's target)
from shop.jobs.runner import use_app

app = create_app()
use_app(app)
