"""Entry point for `flask` and gunicorn: `gunicorn wsgi:app`."""

from dotenv import load_dotenv

load_dotenv()  # a .env file, if present, fills in settings before config.py reads them

from shop import create_app  # noqa: E402

app = create_app()
