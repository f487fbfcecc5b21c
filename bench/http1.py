"""A lean keep-alive HTTP/1.1 client for the load a benchmark sends, over asyncio streams.

httpx's pool checks every connection it holds on every request; with the few hundred
requests a second of an alert-latency run, that was half of this process's CPU, taken
from the 2 cores the stack under test runs on. This client keeps idle connections in a
stack, opens one when none is idle (up to ``size`` at once), and reads each answer as
status line, headers and a ``Content-Length`` body. A connection idle for ``idle_seconds``
is closed before use, so the server's keep-alive timeout never closes one under a request.
"""

import asyncio
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import msgspec


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    idle_since: float = 0.0


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self) -> dict[str, object]:
        decoded: dict[str, object] = msgspec.json.decode(self.body)
        return decoded


@dataclass
class Http1Client:
    base_url: str
    size: int = 32
    idle_seconds: float = 1.0
    _idle: list[_Connection] = field(default_factory=list)
    _slots: asyncio.Semaphore | None = None

    async def post(self, path: str, body: object, headers: dict[str, str]) -> Answer:
        """POST ``body`` as JSON to ``path``."""
        encoded = msgspec.json.encode(body)
        lines = [f"POST {path} HTTP/1.1", f"host: {self._netloc}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines += ["content-type: application/json", f"content-length: {len(encoded)}"]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode() + encoded
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.size)
        async with self._slots:
            connection = await self._take()
            try:
                connection.writer.write(request)
                answer, reusable = await _read_answer(connection.reader)
            except BaseException:
                connection.writer.close()
                raise
            if reusable:
                connection.idle_since = time.monotonic()
                self._idle.append(connection)
            else:
                connection.writer.close()
            return answer

    async def aclose(self) -> None:
        for connection in self._idle:
            connection.writer.close()
        self._idle.clear()

    @property
    def _netloc(self) -> str:
        return urlsplit(self.base_url).netloc

    async def _take(self) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            if time.monotonic() - connection.idle_since < self.idle_seconds:
                return connection
            connection.writer.close()
        parts = urlsplit(self.base_url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        return _Connection(reader, writer)


async def _read_answer(reader: asyncio.StreamReader) -> tuple[Answer, bool]:
    """One response, and whether the connection may carry another."""
    status = int((await reader.readuntil(b"\r\n")).split()[1])
    headers: dict[str, str] = {}
    while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if "transfer-encoding" in headers:
        raise RuntimeError("a chunked answer: this client reads Content-Length bodies only")
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Answer(status, body), headers.get("connection", "").lower() != "close"
