"""The "Internet uplink" between the proxies and the upstream registry: a TCP relay on loopback.

It counts the bytes the upstream sends (what a real uplink would carry down), reads the request
lines going up (so it can count manifest GETs, HEADs and blob GETs), and can limit the downstream
rate shared by all connections, like one office link. Stdlib only: one thread per direction per
connection, which is plenty for a few dozen connections.

The registry's token service gets a relay of its own that shares the link and the counters, so
token requests cross the same "Internet" and are counted with the rest (Docker Hub's
auth.docker.io is on the far side of the uplink too).
"""

import re
import socket
import threading
import time

CHUNK = 64 * 1024
REQUEST_LINE = re.compile(rb"^([A-Z]+) (\S+) HTTP/1\.[01]$")
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)


class Link:
    """A shared downstream link of `rate` bytes/s (0: unlimited). Virtual clock, no bursts."""

    def __init__(self):
        self._lock = threading.Lock()
        self._rate = 0.0
        self._next_free = 0.0

    def set_rate(self, bytes_per_second):
        with self._lock:
            self._rate = float(bytes_per_second or 0)
            self._next_free = 0.0

    def carry(self, n):
        with self._lock:
            if not self._rate:
                return
            now = time.monotonic()
            self._next_free = max(now, self._next_free) + n / self._rate
            wait = self._next_free - now
        if wait > 0:
            time.sleep(wait)


class Counts:
    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        with self._lock:
            self.bytes_down = 0
            self.bytes_up = 0
            self.connections = 0
            self.requests = []

    def add(self, down=0, up=0, connection=0, request=None):
        with self._lock:
            self.bytes_down += down
            self.bytes_up += up
            self.connections += connection
            if request:
                self.requests.append(request)

    def settle(self, quiet=1.0, limit=60.0):
        """Waits until no byte has come down for `quiet` seconds (background fetches that
        outlive the client requests, like distribution's storeLocal, count too)."""
        deadline = time.monotonic() + limit
        last, since = self.bytes_down, time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self.bytes_down
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return True
        return False

    def snapshot(self):
        with self._lock:
            requests = list(self.requests)
            snap = {"bytes_down": self.bytes_down, "bytes_up": self.bytes_up,
                    "connections": self.connections, "requests": len(requests)}
        kinds = {}
        for method, path in requests:
            kinds[_kind(method, path)] = kinds.get(_kind(method, path), 0) + 1
        snap["by_kind"] = dict(sorted(kinds.items()))
        snap["manifest_gets"] = kinds.get("GET manifest", 0)
        snap["manifest_heads"] = kinds.get("HEAD manifest", 0)
        snap["blob_gets"] = kinds.get("GET blob", 0)
        snap["pings"] = kinds.get("GET ping", 0) + kinds.get("HEAD ping", 0)
        snap["token_gets"] = kinds.get("GET token", 0)
        return snap


def _kind(method, path):
    path = path.split("?", 1)[0]
    if path == "/token":
        return method + " token"
    if "/manifests/" in path:
        return method + " manifest"
    if "/blobs/uploads" in path:
        return method + " upload"
    if "/blobs/" in path:
        return method + " blob"
    if path.rstrip("/") == "/v2":
        return method + " ping"
    return method + " other"


class Uplink:
    """A relay to (upstream_host, upstream_port); pass `link` and `counts` of another Uplink to
    share its rate and counters."""

    def __init__(self, listen_host, upstream_host, upstream_port, link=None, counts=None):
        self.upstream = (upstream_host, upstream_port)
        self.link = link or Link()
        self.counts = counts or Counts()
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind((listen_host, 0))
        self._server.listen(256)
        self.port = self._server.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, name="uplink-accept", daemon=True).start()

    def close(self):
        self._closed = True
        try:
            self._server.close()
        except OSError:
            pass

    def _accept(self):
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=10)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.counts.add(connection=1)
            pair = _Pair(client, upstream)
            threading.Thread(target=self._up, args=(pair,), daemon=True).start()
            threading.Thread(target=self._down, args=(pair,), daemon=True).start()

    def _up(self, pair):
        """Client -> upstream: forward, parsing request heads to count them."""
        client, upstream = pair.client, pair.upstream
        pending = b""
        skip = 0
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        try:
            while True:
                n = client.recv_into(buf)
                if n == 0:
                    break
                upstream.sendall(view[:n])
                self.counts.add(up=n)
                data = bytes(view[:n])
                if skip:
                    taken = min(skip, len(data))
                    skip -= taken
                    data = data[taken:]
                pending += data
                while not skip and b"\r\n\r\n" in pending:
                    head, pending = pending.split(b"\r\n\r\n", 1)
                    first = head.split(b"\r\n", 1)[0]
                    match = REQUEST_LINE.match(first)
                    if match:
                        self.counts.add(request=(match.group(1).decode(),
                                                 match.group(2).decode("latin-1")))
                    length = CONTENT_LENGTH.search(head)
                    if length:
                        skip = int(length.group(1))
                        taken = min(skip, len(pending))
                        skip -= taken
                        pending = pending[taken:]
                if len(pending) > 65536:  # not HTTP we understand; stop parsing
                    pending = b""
        except OSError:
            pass
        finally:
            pair.end()

    def _down(self, pair):
        """Upstream -> client: counted, and paced by the link."""
        client, upstream = pair.client, pair.upstream
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        try:
            while True:
                n = upstream.recv_into(buf)
                if n == 0:
                    break
                self.link.carry(n)
                client.sendall(view[:n])
                self.counts.add(down=n)
        except OSError:
            pass
        finally:
            pair.end()


class _Pair:
    """A relayed connection. When either direction ends, both end; the last one out closes."""

    def __init__(self, client, upstream):
        self.client = client
        self.upstream = upstream
        self._lock = threading.Lock()
        self._ended = 0

    def end(self):
        with self._lock:
            self._ended += 1
            last = self._ended == 2
        for sock in (self.client, self.upstream):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            if last:
                sock.close()
