"""HTTP servers the tests run in a thread of their own process (the simulators, the receivers
of their notifications, the browser's live app)."""

import threading
from socketserver import BaseServer

# How soon a server's loop notices shutdown(). Its default, 0.5 s, was waited for by each of
# the ~30 servers a full run stops at its end: 8 s of the suite's last teardown.
SHUTDOWN_POLL_SECONDS = 0.05


def serve_in_background(server: BaseServer) -> None:
    """Serve until server.shutdown(), from a daemon thread."""
    threading.Thread(
        target=server.serve_forever, args=(SHUTDOWN_POLL_SECONDS,), daemon=True
    ).start()
