#!/usr/bin/python3
"""Test workload for migrations: an HTTP server holding state in memory.

State that must survive a migration:
  - a counter: GET /count increments it and answers the new value;
  - a buffer of N MiB filled from a seeded PRNG: GET /checksum answers the
    sha256 of the buffer as it is now in memory, which a client can compare
    with the checksum it saw before the migration (and with /expected, the
    value computed once at start).
GET /health answers without touching state (the downtime probe uses it).
GET /touch?mib=K rewrites K MiB of the buffer in place (same bytes), to
dirty pages without changing the checksum.

Listens on 0.0.0.0:P, or, when FLEXIMIGRATE_SOCKET_PREFIX is set (the
agent's direct runtime sets it), on the abstract unix socket PREFIX + P that
the agent publishes as TCP port P: CRIU 4.1.1 cannot dump TCP sockets on
Linux >= 6.16 (SO_PASSCRED is refused on them), unix sockets it can.
Usage: stateful_server.py --port P [--mib N] [--seed S]
"""
import argparse
import hashlib
import json
import os
import random
import socketserver
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

MIB = 1 << 20


class State:
    def __init__(self, mib, seed):
        self.counter = 0
        # One seeded random MiB repeated, each MiB stamped with its index: fast to
        # build (memcpy, not a PRNG per byte) and no two MiB alike.
        block = random.Random(seed).randbytes(MIB)
        self.buffer = bytearray(block * mib)
        for i in range(mib):
            self.buffer[i * MIB : i * MIB + 8] = i.to_bytes(8, "little")
        self.expected = hashlib.sha256(self.buffer).hexdigest()


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        def address_string(self):  # unix peers have no (host, port)
            return "-"

        def log_message(self, *args):  # keep stdio quiet: it is /dev/null anyway
            pass

        def answer(self, body):
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.send_header("connection", "close")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlparse(self.path)
            if url.path == "/count":
                state.counter += 1
                self.answer({"count": state.counter})
            elif url.path == "/checksum":
                self.answer({"sha256": hashlib.sha256(state.buffer).hexdigest(), "bytes": len(state.buffer)})
            elif url.path == "/expected":
                self.answer({"sha256": state.expected, "bytes": len(state.buffer)})
            elif url.path == "/touch":
                mib = int(parse_qs(url.query).get("mib", ["1"])[0])
                end = min(len(state.buffer), mib * MIB)
                for off in range(0, end, 4096):
                    state.buffer[off] = state.buffer[off]
                self.answer({"touched": end})
            elif url.path in ("/", "/health"):
                self.answer({"ok": True, "pid": os.getpid(), "count": state.counter})
            else:
                self.send_error(404)

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mib", type=int, default=16)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    state = State(args.mib, args.seed)
    prefix = os.environ.get("FLEXIMIGRATE_SOCKET_PREFIX")
    if prefix:
        # Padded to the whole sun_path (108 bytes): Node's net.connect uses that length for abstract names.
        name = "\0" + prefix + str(args.port)
        server = socketserver.UnixStreamServer(name + "\0" * (108 - len(name)), make_handler(state))
    else:
        server = HTTPServer(("0.0.0.0", args.port), make_handler(state))
    server.serve_forever()


if __name__ == "__main__":
    main()
