"""Loopback stand-ins for the third parties the notifier talks to, speaking the real protocols.

Each listens on a free 127.0.0.1 port inside ``async with``, records what it received
(``requests``, ``payloads``, ``messages``), and can be scripted::

    async with WebhookReceiver([500, 500, 200]) as hook:      # the last reply repeats
        outcome = await adapter.send(message_to(hook.url))
        assert len(hook.requests) == 3

``WebhookReceiver`` and ``SmsProvider`` are a minimal HTTP/1.1 server (one request per
connection, ``Content-Length`` bodies: what httpx sends). ``SmtpServer`` is aiosmtpd.
"""

import asyncio
import email
import email.policy
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Reply:
    """A scripted HTTP answer; ``hang`` never answers (until the receiver stops)."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    hang: bool = False


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    target: str
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class _AsyncContext:
    """Started on entering ``async with``, stopped on leaving."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()


class HttpReceiver(_AsyncContext):
    """Records every request and answers from a script of replies."""

    path = "/"

    def __init__(self, replies: Iterable[Reply | int] = (200,)) -> None:
        self.requests: list[ReceivedRequest] = []
        self.script(*replies)
        self._server: asyncio.Server | None = None
        self._stopping = asyncio.Event()
        self._handlers: set[asyncio.Task[None]] = set()

    def script(self, *replies: Reply | int) -> None:
        """Answer the next requests with these replies, in order; the last one repeats."""
        self._replies = [r if isinstance(r, Reply) else Reply(r) for r in replies] or [Reply()]

    def _next_reply(self) -> Reply:
        return self._replies.pop(0) if len(self._replies) > 1 else self._replies[0]

    @property
    def url(self) -> str:
        assert self._server is not None, "start the receiver first"
        port = self._server.sockets[0].getsockname()[1]
        return f"http://{LOOPBACK}:{port}{self.path}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, LOOPBACK, 0)

    async def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        await asyncio.gather(*self._handlers, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            request = await _read_request(reader)
            if request is not None:
                self.requests.append(request)
                await self._answer(writer, self._next_reply())
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client gave up (a timeout test): nothing to answer
        finally:
            writer.close()
            self._handlers.discard(task)

    async def _answer(self, writer: asyncio.StreamWriter, reply: Reply) -> None:
        if reply.hang:
            await self._stopping.wait()
            return
        headers = {"content-length": "0", "connection": "close", **reply.headers}
        lines = [f"HTTP/1.1 {reply.status} Scripted"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()


async def _read_request(reader: asyncio.StreamReader) -> ReceivedRequest | None:
    request_line = await reader.readline()
    if not request_line.strip():
        return None
    method, target, _version = request_line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in {b"\r\n", b"\n", b""}:
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return ReceivedRequest(method=method, target=target, headers=headers, body=body)


class WebhookReceiver(HttpReceiver):
    """A webhook endpoint; check signatures with ``notifier.channels.webhook.verify``."""

    path = "/hook"

    @property
    def payloads(self) -> list[Any]:
        return [request.json() for request in self.requests]


class GatedWebhookReceiver(WebhookReceiver):
    """A webhook endpoint that can stop answering: held requests wait until ``release()``.

    A held request has arrived (it is in ``requests``) but its sender never hears back,
    the state a crash leaves a webhook in between sending and recording it as sent.
    """

    def __init__(self) -> None:
        super().__init__()
        self._open = asyncio.Event()
        self._open.set()
        self._passes = 0

    def hold_after(self, passes: int) -> None:
        """Answer the next ``passes`` requests, then hold every one after them."""
        self._passes = passes
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    async def stop(self) -> None:
        self.release()
        await super().stop()

    async def _answer(self, writer: asyncio.StreamWriter, reply: Reply) -> None:
        if self._passes > 0:
            self._passes -= 1
        else:
            await self._open.wait()
        await super()._answer(writer, reply)


class FlakyWebhookReceiver(WebhookReceiver):
    """A webhook endpoint that goes down and comes back, on the same port.

    ``fail_with(reply)`` answers every request with that (a 503, say); ``refuse()`` closes
    the listening socket, so connections are refused; ``recover()`` answers 200 again.
    ``statuses`` holds the status each request in ``requests`` was answered with, so
    ``delivered`` is what the receiver accepted.
    """

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[int] = []
        self._failing: Reply | None = None
        self._port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, LOOPBACK, self._port)
        self._port = self._server.sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self._port}{self.path}"

    @property
    def delivered(self) -> list[ReceivedRequest]:
        return [r for r, s in zip(self.requests, self.statuses, strict=True) if 200 <= s < 300]

    def fail_with(self, reply: Reply) -> None:
        self._failing = reply

    async def refuse(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    async def recover(self) -> None:
        self._failing = None
        if self._server is None:
            await self.start()

    def _next_reply(self) -> Reply:
        # Called right after the request is recorded, with no await between: aligned.
        reply = self._failing or super()._next_reply()
        self.statuses.append(reply.status)
        return reply


class SmsProvider(HttpReceiver):
    """An SMS provider's send endpoint (``{"to", "body"}`` JSON, see notifier's sms.py)."""

    path = "/v1/messages"

    @property
    def messages(self) -> list[Any]:
        return [request.json() for request in self.requests]


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage

    @property
    def message_id(self) -> str | None:
        return _header(self.message, "Message-ID")

    @property
    def subject(self) -> str | None:
        return _header(self.message, "Subject")

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return str(part.get_content())


def _header(message: EmailMessage, name: str) -> str | None:
    value = message[name]
    return None if value is None else str(value)


class _EphemeralPortController(Controller):
    """aiosmtpd's controller, bound to port 0: learns its real port before it pokes itself."""

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


class SmtpServer(_AsyncContext):
    """An SMTP server recording every message; RCPT and DATA replies can be scripted.

    A scripted reply (``"451 4.7.1 try later"``) answers one command, in order; once the
    script is used up every command is accepted.
    """

    def __init__(
        self,
        *,
        rcpt_replies: Iterable[str] = (),
        data_replies: Iterable[str] = (),
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self.messages: list[ReceivedMail] = []  # accepted
        self.refused: list[ReceivedMail] = []  # offered, but answered by a scripted refusal
        self.rcpt_attempts = 0
        self._rcpt_replies = list(rcpt_replies)
        self._data_replies = list(data_replies)
        self._credentials = credentials
        auth: dict[str, Any] = {"authenticator": self._authenticate, "auth_require_tls": False}
        self._controller = _EphemeralPortController(
            self,
            hostname=LOOPBACK,
            port=0,
            server_hostname="smtp.tandem.test",  # skips a slow getfqdn()
            **(auth if credentials else {}),
        )

    @property
    def url(self) -> str:
        userinfo = "{}:{}@".format(*self._credentials) if self._credentials else ""
        return f"smtp://{userinfo}{LOOPBACK}:{self._controller.port}"

    async def start(self) -> None:
        await asyncio.to_thread(self._controller.start)

    async def stop(self) -> None:
        await asyncio.to_thread(self._controller.stop)

    # aiosmtpd handler hooks; they run on the controller's own thread.
    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        self.rcpt_attempts += 1
        reply = self._rcpt_replies.pop(0) if self._rcpt_replies else "250 OK"
        if reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return reply

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        mail = ReceivedMail(envelope.mail_from or "", tuple(envelope.rcpt_tos), message)
        reply = self._data_replies.pop(0) if self._data_replies else "250 Message accepted"
        (self.messages if reply.startswith("250") else self.refused).append(mail)
        return reply

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:  # LOGIN and PLAIN hand over a LoginPassword
        given = (data.login.decode(), data.password.decode()) if data else None
        # handled=False: aiosmtpd itself answers 535 on failure
        return AuthResult(success=given == self._credentials, handled=False)
