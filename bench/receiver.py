"""A loopback webhook receiver that notes when each request arrived, and nothing more.

Keep-alive HTTP/1.1 over asyncio streams: the notifier's httpx pool reuses connections,
so the figure measured is Tandem's, not the cost of a new TCP handshake per alert.
Signatures are checked after the run, off the clock. ``hold()`` keeps every answer back
(the request is noted on arrival) until ``release()``: a receiver that is slow to answer.
"""

import asyncio
import time
from dataclasses import dataclass, field

import msgspec


@dataclass(frozen=True)
class Arrival:
    at: float  # time.perf_counter() when the whole body was read
    target: str
    headers: dict[str, str]
    body: bytes
    wall: float  # time.time() at the same moment: comparable with the services' timestamps

    def json(self) -> dict[str, object]:
        decoded: dict[str, object] = msgspec.json.decode(self.body)
        return decoded


STOP_TIMEOUT_SECONDS = 5.0


@dataclass
class Receiver:
    arrivals: list[Arrival] = field(default_factory=list)
    alerts: dict[str, Arrival] = field(default_factory=dict)  # by activation id
    waiters: dict[str, asyncio.Future[Arrival]] = field(default_factory=dict)
    consents: dict[str, str] = field(default_factory=dict)  # contact id → their consent link
    consent_waiters: dict[str, asyncio.Future[str]] = field(default_factory=dict)
    _server: asyncio.Server | None = None
    _connections: set[asyncio.StreamWriter] = field(default_factory=set)
    _handlers: set[asyncio.Task[None]] = field(default_factory=set)
    _answering: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("start the receiver first")
        host, port = self._server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}/hook"

    async def start(self) -> None:
        self._answering.set()
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=1024)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in self._connections:  # keep-alive connections outlive close()
                writer.close()
            await self._server.wait_closed()
            # Each handler sees its connection end and returns; one left running would be
            # cancelled when the loop ends, and Python 3.11 prints a traceback for that.
            if self._handlers:
                await asyncio.wait(self._handlers, timeout=STOP_TIMEOUT_SECONDS)

    def hold(self) -> None:
        """Note requests as they arrive but answer none until ``release()``."""
        self._answering.clear()

    def release(self) -> None:
        self._answering.set()

    def alert_for(self, activation_id: str) -> asyncio.Future[Arrival]:
        """Set when the alert of this activation arrives (it may have arrived already)."""
        future: asyncio.Future[Arrival] = asyncio.get_running_loop().create_future()
        if activation_id in self.alerts:
            future.set_result(self.alerts[activation_id])
        else:
            self.waiters[activation_id] = future
        return future

    def consent_for(self, contact_id: str) -> asyncio.Future[str]:
        """Set to the consent link the contact got (only the contact gets it, never a partner)."""
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        if contact_id in self.consents:
            future.set_result(self.consents[contact_id])
        else:
            self.consent_waiters[contact_id] = future
        return future

    def count(self, kind: str) -> int:
        return sum(1 for arrival in self.arrivals if arrival.json().get("type") == kind)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handler = asyncio.current_task()
        if handler is not None:
            self._handlers.add(handler)
            handler.add_done_callback(self._handlers.discard)
        self._connections.add(writer)
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    return
                headers: dict[str, str] = {}
                while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                arrival = Arrival(
                    time.perf_counter(),
                    request_line.split()[1].decode(),
                    headers,
                    body,
                    wall=time.time(),
                )
                self.arrivals.append(arrival)
                await self._answering.wait()
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                self._settle(arrival)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self._connections.discard(writer)
            writer.close()

    def _settle(self, arrival: Arrival) -> None:
        payload = arrival.json()
        if payload.get("type") == "tandem.consent_request":
            self._consent_arrived(str(payload.get("recipient_id")), str(payload.get("consent_url")))
        if payload.get("type") != "tandem.alert":
            return
        activation_id = str(payload.get("activation_id"))
        self.alerts.setdefault(activation_id, arrival)
        future = self.waiters.pop(activation_id, None)
        if future is not None and not future.done():
            future.set_result(arrival)

    def _consent_arrived(self, contact_id: str, link: str) -> None:
        self.consents.setdefault(contact_id, link)
        future = self.consent_waiters.pop(contact_id, None)
        if future is not None and not future.done():
            future.set_result(link)
