"""A stdlib app for the SDK's WebSocket, Server-Sent Events, raw TCP and app-control tests."""

import base64
import hashlib
import os
import signal
import socket
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/ws/echo":
            self.websocket_echo()
        elif path == "/ws/reject":
            self.send_plain(403, b"no websockets here")
        elif path == "/events":
            self.events_chunked()
        elif path == "/events/plain":
            self.events_until_close()
        elif path == "/events/slow":
            self.events_slow()
        elif path == "/hello":
            self.send_plain(200, b"hello")
        elif path == "/pid":
            self.send_plain(200, str(os.getpid()).encode())
        elif path == "/slow":
            time.sleep(3)
            self.send_plain(200, b"late")
        else:
            self.send_plain(404, b"not found")

    def send_plain(self, status, body, content_type="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    # WebSocket: echo, plus a few commands that exercise the client

    def websocket_echo(self):
        key = self.headers.get("Sec-WebSocket-Key", "")
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.close_connection = True
        while True:
            opcode, payload = self.read_frame()
            if opcode == CLOSE:
                self.write_frame(CLOSE, payload)
                return
            if opcode == PING:
                self.write_frame(PONG, payload)
            elif opcode == PONG:
                self.write_frame(TEXT, b"pong received: " + payload)
            elif opcode == TEXT and payload in COMMANDS:
                if COMMANDS[payload](self) == "stop":
                    return
            elif opcode in (TEXT, BINARY):
                self.write_frame(opcode, payload)

    def read_frame(self):
        first, second = self.rfile.read(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self.rfile.read(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self.rfile.read(8))[0]
        if not second & 0x80:
            raise ValueError("client frames must be masked")
        key = self.rfile.read(4)
        data = self.rfile.read(length)
        return first & 0x0F, bytes(b ^ key[i % 4] for i, b in enumerate(data))

    def write_frame(self, opcode, payload, fin=True, masked=False):
        length = len(payload)
        head = bytes([(0x80 if fin else 0) | opcode])
        mask_bit = 0x80 if masked else 0
        if length < 126:
            head += bytes([mask_bit | length])
        elif length < 65536:
            head += bytes([mask_bit | 126]) + struct.pack("!H", length)
        else:
            head += bytes([mask_bit | 127]) + struct.pack("!Q", length)
        if masked:
            head += b"\0\0\0\0"
        self.wfile.write(head + payload)
        self.wfile.flush()

    # Server-Sent Events

    def start_events(self, chunked):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()

    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def events_chunked(self):
        self.start_events(chunked=True)
        for piece in EVENT_PIECES:
            self.write_chunk(piece)
            time.sleep(0.02)
        self.write_chunk(b"")

    def events_until_close(self):
        self.start_events(chunked=False)
        self.wfile.write(b"data: first\r\n\r\ndata: second\r\r")

    def events_slow(self):
        self.start_events(chunked=True)
        self.write_chunk(b"data: one\n\n")
        time.sleep(5)

    def log_message(self, format, *args):
        pass


def _close_with_bye(handler):
    handler.write_frame(CLOSE, struct.pack("!H", 1000) + b"bye")
    handler.read_frame()  # the client's close frame
    return "stop"


def _ping_me(handler):
    handler.write_frame(PING, b"are you there")


def _fragments(handler):
    handler.write_frame(TEXT, b"frag", fin=False)
    handler.write_frame(PING, b"in between")
    handler.write_frame(0x0, b"ment", fin=False)
    handler.write_frame(0x0, b"ed")


def _masked(handler):
    handler.write_frame(TEXT, b"hidden", masked=True)


def _bad_utf8(handler):
    handler.write_frame(TEXT, b"bad \xff")


def _binary(handler):
    handler.write_frame(BINARY, b"\x00\x01\x02")


def _hang_up(handler):
    return "stop"


COMMANDS = {
    b"close-me": _close_with_bye,
    b"ping-me": _ping_me,
    b"fragments": _fragments,
    b"masked": _masked,
    b"bad-utf8": _bad_utf8,
    b"binary-please": _binary,
    b"hang-up": _hang_up,
}

# Split mid-line and mid-character, with a comment, CRLF line ends and an event without data.
EVENT_PIECES = [
    b": keep-alive\n\n",
    b"id: 1\nevent: greeting\nda",
    b"ta: hello\n\n",
    b"data: line one\r\ndata: line two \xc3",
    b"\xa9\r\n\r\n",
    b"id: 7\n\n",
    b'id: 3\nretry: 1500\ndata: {"n": 3}\n\n',
]


class IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6  # HOST=::1 or HOST=:: (the latter takes IPv4 too, as Node's does)


def main():
    host = os.environ.get("HOST", "127.0.0.1")
    server_class = IPv6Server if ":" in host else ThreadingHTTPServer
    server = server_class((host, int(os.environ["PORT"])), Handler)
    server.daemon_threads = True
    # Graceful shutdown: SIGTERM makes the app exit with status 0.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
