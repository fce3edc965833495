"""A TCP forwarder: `python tests/deploy/forward.py LISTEN=TARGET ...`, each an address:port.

The multi-host proof runs it in the machine's own namespace so that the hosts in their
network namespaces reach the machine's PostgreSQL and Redis, which listen on 127.0.0.1 only,
at the bridge's address. Bytes are copied both ways until either side closes.
"""

import asyncio
import functools
import sys


def address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host, int(port)


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def forward_to(target: tuple[str, int], reader, writer) -> None:
    try:
        target_reader, target_writer = await asyncio.open_connection(*target)
    except OSError:
        writer.close()
        return
    await asyncio.gather(pipe(reader, target_writer), pipe(target_reader, writer))


async def main(pairs: list[str]) -> None:
    servers = []
    for pair in pairs:
        listen, _, target = pair.partition("=")
        handler = functools.partial(forward_to, address(target))
        server = await asyncio.start_server(handler, *address(listen))
        servers.append(server)
    print("forwarding", " ".join(pairs), flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
