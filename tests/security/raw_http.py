"""HTTP by hand, for oversized bodies: a server that refuses a body answers (413) and closes the connection
while the client is still sending, which urllib reports as a reset instead of the answer."""
from __future__ import annotations

import select
import socket
from collections.abc import Iterator

Body = bytes | Iterator[bytes]
PIECE = 64 * 1024


def chunked(data: bytes) -> Iterator[bytes]:
    """``data`` as a chunked body (no Content-Length: the server only learns the size while reading)."""
    for start in range(0, len(data), PIECE):
        piece = data[start:start + PIECE]
        yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    yield b"0\r\n\r\n"


def _pieces(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), PIECE):
        yield data[start:start + PIECE]


def post_raw(port: int, path: str, body: Body, content_type: str = "application/json", timeout: float = 30.0) -> bytes:
    """POST ``body`` (bytes, sent with Content-Length, or pieces of a chunked body) to 127.0.0.1:``port``;
    stops sending as soon as the server answers. Returns the start of the answer (b"" if none came)."""
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\nConnection: close\r\n"
    if isinstance(body, bytes):
        head += f"Content-Length: {len(body)}\r\n\r\n"
        pieces = _pieces(body)
    else:
        head += "Transfer-Encoding: chunked\r\n\r\n"
        pieces = body
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(head.encode())
            for piece in pieces:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server has answered already
                sock.sendall(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            while len(answer) < 4096:
                data = sock.recv(4096)
                if not data:
                    break
                answer += data
        except (TimeoutError, ConnectionResetError):
            pass
    return answer


def status_of(answer: bytes) -> int:
    """The status code of an HTTP answer (0 when there was none)."""
    parts = answer.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[0].startswith(b"HTTP/") else 0
