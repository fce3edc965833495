"""The server key the app and its built-in simulator share: one random key per installation.

The server key is what lets a caller act on a transaction (cancel, expire, refund). A fixed
key printed in the docs would let any visitor cancel another shopper's pending order through
the simulator's API, so each installation makes its own, once, in its instance folder
(readable by its owner only), and every process of the installation reads the same file.
Hosts that share one simulator must share that file too.
"""

import os
import secrets
import tempfile
from pathlib import Path

KEY_FILE = "midtrans_simulator_key"
# Shaped like a sandbox key (SB-Mid-server-...), as the library and the logs expect one.
PREFIX = "SB-Mid-server-sim-"


def _read(path: Path) -> str:
    key = path.read_text().strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it and a new key is made at the next start")
    return key


def installation_key(instance_dir: str | os.PathLike) -> str:
    """This installation's simulator key, made (random, mode 0600) on the first call."""
    path = Path(instance_dir) / KEY_FILE
    if path.exists():
        return _read(path)
    # Written under a temporary name (mkstemp makes it 0600) and linked into place: workers
    # starting together all end up with the one key that won, never a half-written file.
    descriptor, temporary = tempfile.mkstemp(dir=instance_dir, prefix=f".{KEY_FILE}.")
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(PREFIX + secrets.token_urlsafe(32) + "\n")
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)
    return _read(path)
