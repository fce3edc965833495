"""The app the multi-host proof runs on its hosts: production settings, with the two changes
a closed test network needs, and nothing else.

- The built-in Midtrans simulator stands in for Midtrans (no way out to the sandbox from the
  namespaces). ProductionConfig refuses it, since its payment page lets anyone mark an order
  paid, so this class exists only here, never under config.py's APP_CONFIG names. Every host
  gets the same MIDTRANS_SERVER_KEY; the simulator's transactions are in the database.
- Plain HTTP between the shoppers and the proxy (no certificate in CI), so cookies cannot
  be Secure: a client keeps Secure cookies for HTTPS only.

Everything else is ProductionConfig's, checks included (SECRET_KEY, PostgreSQL, REDIS_URL,
APP_HOSTS with MEDIA_SHARED). gunicorn loads `tests.deploy.proof_app:app`; the consumer
runs with FLASK_APP=tests.deploy.proof_app.
"""

from config import ProductionConfig
from shop import create_app


class ProofConfig(ProductionConfig):
    MIDTRANS_SIMULATOR_ENABLED = True
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    SEND_HSTS = False
    PREFERRED_URL_SCHEME = "http"


app = create_app(ProofConfig)
