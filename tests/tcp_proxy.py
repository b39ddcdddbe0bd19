"""A TCP proxy of a test's own, in front of a server the machine shares (PostgreSQL).

Killing the proxy is what a restart of the server is to the clients behind
it, without touching the server that other tests use: every session through
it ends at once, and each new one is dropped as soon as it connects (as a
server starting up refuses sessions), until the proxy is restarted.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from collections.abc import Coroutine
    from typing import Any, Self


class TcpProxy:
    """Forwards 127.0.0.1:`port` to `host`:`target_port`, in an event loop of its own thread."""

    def __init__(self, host: str, target_port: int) -> None:
        self._target = (host, target_port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._sessions: set[asyncio.StreamWriter] = set()
        self._forwarding = True
        self._dropped = threading.Semaphore(0)
        self.port = 0

    @classmethod
    def in_front_of(cls, url: str) -> Self:
        """A proxy to the server of a database URL (``postgresql+psycopg://host:port/name``)."""
        parts = urlsplit(url)
        return cls(parts.hostname or "127.0.0.1", parts.port or 5432)

    def url(self, url: str) -> str:
        """`url` with the proxy in place of its server."""
        parts = urlsplit(url)
        user, at, _ = parts.netloc.rpartition("@")
        return urlunsplit(parts._replace(netloc=f"{user}{at}127.0.0.1:{self.port}"))

    def __enter__(self) -> Self:
        self._thread.start()
        self._server = self._run(asyncio.start_server(self._session, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        self._run(self._close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def kill(self) -> None:
        """End every session now, and drop each new one until `restart`."""
        self._run(self._kill())

    def restart(self) -> None:
        self._forwarding = True

    def wait_for_a_dropped_session(self, timeout: float) -> bool:
        """Whether a client tried to connect while the proxy was killed, within `timeout` s."""
        return self._dropped.acquire(timeout=timeout)

    def _run(self, work: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(30)

    async def _kill(self) -> None:
        self._forwarding = False
        for writer in list(self._sessions):
            writer.transport.abort()

    async def _close(self) -> None:
        await self._kill()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _session(self, client_in: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        if not self._forwarding:
            client.transport.abort()
            self._dropped.release()
            return
        try:
            server_in, server = await asyncio.open_connection(*self._target)
        except OSError:
            client.transport.abort()
            return
        self._sessions |= {client, server}
        try:
            await asyncio.gather(_pump(client_in, server), _pump(server_in, client))
        finally:
            self._sessions -= {client, server}


async def _pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    """Copy one direction until it ends; then end the other too, as one connection does."""
    try:
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    except OSError:
        pass
    finally:
        sink.transport.abort()
