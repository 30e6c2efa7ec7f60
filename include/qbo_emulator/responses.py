"""Building answers fast (pre-serialised bytes) and really dropping connections."""

from __future__ import annotations

import asyncio
import socket
import struct
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .util import dumps

JSON = "application/json;charset=UTF-8"
XML = "application/xml;charset=UTF-8"
HTML = "text/html"

TRANSPORT_KEY = "qbo.transport"


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(payload), status_code=status, media_type=JSON, headers=headers)


def raw_response(body: bytes, status: int, media_type: str, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status_code=status, media_type=media_type, headers=headers)


class CaptureTransport:
    """Pure ASGI middleware: remember the connection's transport so a handler can abort it.

    uvicorn's ``receive`` is a bound method of its request cycle, which holds the
    transport; nothing in the ASGI scope exposes it otherwise.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            transport = getattr(getattr(receive, "__self__", None), "transport", None)
            if transport is not None:
                scope[TRANSPORT_KEY] = transport
        await self.app(scope, receive, send)


class ConnectionDropped(Exception):
    """Raised when no transport could be found: uvicorn then closes the connection."""


async def drop_connection(request: Request) -> None:
    """Abort the TCP connection without any HTTP answer (an RST, like a dead load balancer)."""
    transport = request.scope.get(TRANSPORT_KEY)
    if transport is None:
        raise ConnectionDropped()
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            # Linger 0: close() sends RST, so the client sees "connection reset", not a clean EOF.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    transport.abort()
    # Let the server see connection_lost before the handler returns: its send() then no-ops.
    await asyncio.sleep(0)
    await asyncio.sleep(0)
