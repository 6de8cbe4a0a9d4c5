"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it is sent, and can refuse."""

from __future__ import annotations

import email
import socket
import threading
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


class Mailbox:
    """aiosmtpd handler: each accepted message is parsed and kept, in order."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse_next = 0  # answer this many DATA commands with a temporary failure
        self._lock = threading.Lock()

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        with self._lock:
            if self.refuse_next > 0:
                self.refuse_next -= 1
                return "451 4.3.0 Try again later"
            message = email.message_from_bytes(envelope.content, policy=default)
            assert isinstance(message, EmailMessage)
            self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        self.messages.clear()


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(mailbox: Mailbox) -> tuple[Controller, int]:
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port
