"""What `huey_consumer shop.jobs.worker.huey` loads: the settings of .env (as wsgi.py does),
the app its tasks run in, and through create_app every module that defines tasks."""

import logging

from dotenv import load_dotenv

load_dotenv()  # before config.py reads the environment

from shop import create_app  # noqa: E402
from shop.jobs.queue import huey as queue  # noqa: E402
from shop.jobs.runner import use_app  # noqa: E402

app = create_app()
use_app(app)
huey = queue.instance()  # the consumer's target: Huey itself, every task registered on it
# huey_consumer gives the "huey" logger a handler of its own; the app's root handler would
# print every line a second time.
logging.getLogger("huey").propagate = False
