"""A Redis client for the page cache: the few commands cachelib's RedisCache sends, over
RESP, on sockets of its own.

redis-py would do, but importing it costs a web worker 5-6 MB (its package loads the
cluster, sentinel and asyncio clients whatever is used), and a shopper's pages need only
GET, MGET, SET, SETNX, EXPIRE, INCRBY and DEL. Everything else that talks to Redis (the task
queue, the rate limits) still uses redis-py, imported when first used.

The methods answer as redis-py's do (bytes, ints, lists), so cachelib's RedisCache takes
this client in place of a redis.Redis. Connections are pooled per process and thread-safe;
a process forked from the one that opened them (gunicorn's workers) opens its own.
"""

import os
import socket
import ssl
import threading
from urllib.parse import parse_qs, unquote, urlsplit

CONNECT_TIMEOUT_SECONDS = 5
# Longer than any answer of these commands takes; a Redis that stops answering is an error
# the request fails on (an error page, as it was with redis-py), not a worker hung forever.
SOCKET_TIMEOUT_SECONDS = 10


class RedisError(Exception):
    """Redis answered with an error, or the connection failed mid-answer."""


class RespClient:
    """Redis at `url` (redis://[user:password@]host[:port][/db], rediss://..., or
    unix:///path?db=N&password=...), the commands the page cache needs."""

    def __init__(self, url: str):
        self.address, self.use_tls, self.hello = _parse_url(url)
        self._idle: list[_Connection] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()

    @classmethod
    def from_url(cls, url: str) -> "RespClient":
        return cls(url)

    def get(self, name: str) -> bytes | None:
        return self.execute("GET", name)

    def mget(self, names: list[str]) -> list[bytes | None]:
        return self.execute("MGET", *names)

    def set(self, name: str, value: bytes, ex: int | None = None) -> bool:
        if ex is None:
            return self.execute("SET", name, value) == b"OK"
        return self.execute("SET", name, value, "EX", ex) == b"OK"

    def setnx(self, name: str, value: bytes) -> bool:
        return self.execute("SETNX", name, value) == 1

    def expire(self, name: str, time: int) -> bool:
        return self.execute("EXPIRE", name, time) == 1

    def incr(self, name: str, amount: int = 1) -> int:
        return self.execute("INCRBY", name, amount)

    def delete(self, *names: str) -> int:
        return self.execute("DEL", *names) if names else 0

    def exists(self, *names: str) -> int:
        return self.execute("EXISTS", *names)

    def keys(self, pattern: str = "*") -> list[bytes]:
        return self.execute("KEYS", pattern)

    def flushdb(self) -> bool:
        return self.execute("FLUSHDB") == b"OK"

    def execute(self, *command):
        """Send one command, return its answer. A pooled connection the server has closed
        (idle timeout, restart) is noticed when used: the command is sent once more on a new
        connection. These commands are safe to repeat: at worst INCRBY counts twice, which
        only makes the cached pages stale once more."""
        connection = self._take()
        try:
            answer = connection.call(command)
        except TimeoutError:  # a slow server is not a stale connection: no second wait
            connection.close()
            raise
        except (OSError, EOFError):
            connection.close()
            if connection.is_new:
                raise
            connection = self._take(new=True)
            try:
                answer = connection.call(command)
            except BaseException:
                connection.close()
                raise
        except BaseException:
            connection.close()
            raise
        self._give_back(connection)
        if isinstance(answer, RedisError):
            raise answer
        return answer

    def _take(self, new: bool = False) -> "_Connection":
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's sockets stay the parent's
                self._idle, self._pid = [], os.getpid()
            if self._idle and not new:
                return self._idle.pop()
        return _Connection(self.address, self.use_tls, self.hello)

    def _give_back(self, connection: "_Connection") -> None:
        connection.is_new = False
        with self._lock:
            if connection.pid == self._pid:
                self._idle.append(connection)


class _Connection:
    def __init__(self, address, use_tls: bool, hello: list[tuple]):
        self.pid = os.getpid()
        self.is_new = True
        if isinstance(address, str):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(CONNECT_TIMEOUT_SECONDS)
            sock.connect(address)
        else:
            sock = socket.create_connection(address, timeout=CONNECT_TIMEOUT_SECONDS)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if use_tls:
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=address[0])
        sock.settimeout(SOCKET_TIMEOUT_SECONDS)
        self.sock = sock
        self.reader = sock.makefile("rb")
        for command in hello:  # AUTH, SELECT
            answer = self.call(command)
            if isinstance(answer, RedisError):
                self.close()
                raise answer

    def call(self, command: tuple):
        self.sock.sendall(_encode(command))
        return self._read()

    def _read(self):
        line = self.reader.readline()
        if not line.endswith(b"\r\n"):
            raise EOFError("Redis closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest
        if kind == b"-":
            return RedisError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None
            data = self.reader.read(size + 2)
            if len(data) != size + 2:
                raise EOFError("Redis closed the connection")
            return data[:-2]
        if kind == b"*":
            count = int(rest)
            return None if count < 0 else [self._read() for _ in range(count)]
        raise RedisError(f"unexpected answer from Redis: {line[:40]!r}")

    def close(self) -> None:
        try:
            self.reader.close()
            self.sock.close()
        except OSError:
            pass


def _encode(command: tuple) -> bytes:
    parts = [b"*%d\r\n" % len(command)]
    for argument in command:
        if isinstance(argument, str):
            argument = argument.encode()
        elif isinstance(argument, int):
            argument = b"%d" % argument
        parts.append(b"$%d\r\n%s\r\n" % (len(argument), argument))
    return b"".join(parts)


SUPPORTED_OPTIONS = {"db", "username", "password"}


def _parse_url(url: str) -> tuple[object, bool, list[tuple]]:
    """(host, port) or a socket path, whether TLS, and the commands each connection begins
    with: AUTH when the URL has a password, SELECT when it names a database."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    unknown = sorted(set(query) - SUPPORTED_OPTIONS)
    if unknown:  # at start: a page cache that ignored them would fail on every page
        raise ValueError(
            f"REDIS_URL options {', '.join(unknown)} are not supported by the page cache's"
            f" Redis client (shop/resp_client.py): only {', '.join(sorted(SUPPORTED_OPTIONS))}"
        )
    if parts.scheme == "unix":
        address: object = unquote(parts.path)
        database = query.get("db", ["0"])[0]
    elif parts.scheme in ("redis", "rediss"):
        address = (parts.hostname or "localhost", parts.port or 6379)
        database = parts.path.lstrip("/") or query.get("db", ["0"])[0]
    else:
        raise ValueError(f"not a Redis URL: {parts.scheme}://")
    username = unquote(parts.username) if parts.username else query.get("username", [None])[0]
    password = unquote(parts.password) if parts.password else query.get("password", [None])[0]
    hello: list[tuple] = []
    if password:
        hello.append(("AUTH", username, password) if username else ("AUTH", password))
    if int(database):
        hello.append(("SELECT", int(database)))
    return address, parts.scheme == "rediss", hello
