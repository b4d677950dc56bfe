"""A containerd-like pull client and the latch-released wave of N of them.

One pull: HEAD the tag (containerd's Accept list) -> GET the index by digest -> GET every
platform manifest by digest -> GET every config and layer, `parallel` at a time (containerd's
default is 3). Every body is read to the end and its sha256 and size checked. Unlike containerd
it fetches every platform, like `skopeo copy --all`.
"""

import concurrent.futures
import hashlib
import http.client
import json
import statistics
import threading
import time

from image import ACCEPT_ALL, MANIFEST_LIST, OCI_INDEX

READ_CHUNK = 1024 * 1024


class PullError(Exception):
    pass


class Puller:
    def __init__(self, host, port, repository, tag, parallel=3, timeout=300):
        self.host = host
        self.port = port
        self.repository = repository
        self.tag = tag
        self.parallel = parallel
        self.timeout = timeout
        self.bytes = 0
        self._lock = threading.Lock()
        self._local = threading.local()
        self._connections = []

    def pull(self):
        try:
            return self._pull()
        finally:
            for conn in self._connections:
                conn.close()

    def _pull(self):
        status, headers, _ = self._request("HEAD", "manifests/" + self.tag, ACCEPT_ALL)
        digest = headers.get("docker-content-digest")
        if status != 200 or not digest:
            raise PullError("HEAD tag %s: HTTP %d, digest %r" % (self.tag, status, digest))
        index = json.loads(self._fetch("manifests/" + digest, digest, ACCEPT_ALL))
        blobs = {}
        if index.get("mediaType") in (MANIFEST_LIST, OCI_INDEX) or "manifests" in index:
            platform_manifests = [m["digest"] for m in index["manifests"]]
        else:
            platform_manifests = []
            _collect(index, blobs)
        for manifest_digest in platform_manifests:
            _collect(json.loads(self._fetch("manifests/" + manifest_digest, manifest_digest,
                                            ACCEPT_ALL)), blobs)
        with concurrent.futures.ThreadPoolExecutor(self.parallel) as pool:
            futures = [pool.submit(self._fetch, "blobs/" + d, d, None, size, False)
                       for d, size in blobs.items()]
            for future in futures:
                future.result()
        return self.bytes

    def _connection(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _request(self, method, path, accept):
        conn = self._connection()
        headers = {"Accept": accept} if accept else {}
        try:
            conn.request(method, "/v2/%s/%s" % (self.repository, path), headers=headers)
            response = conn.getresponse()
        except (OSError, http.client.HTTPException):
            conn.close()  # a stale keep-alive connection: one retry on a new one
            conn.request(method, "/v2/%s/%s" % (self.repository, path), headers=headers)
            response = conn.getresponse()
        if method == "HEAD":
            response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, None
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response

    def _fetch(self, path, digest, accept, size=None, keep=True):
        status, _, response = self._request("GET", path, accept)
        if status != 200:
            body = response.read(300)
            raise PullError("GET %s: HTTP %d %r" % (path, status, body))
        hasher = hashlib.sha256()
        kept = bytearray() if keep else None
        buf = bytearray(READ_CHUNK)
        view = memoryview(buf)
        received = 0
        while True:
            n = response.readinto(buf)
            if not n:
                break
            hasher.update(view[:n])
            if keep:
                kept += view[:n]
            received += n
        with self._lock:
            self.bytes += received
        if "sha256:" + hasher.hexdigest() != digest:
            raise PullError("GET %s: digest mismatch after %d bytes" % (path, received))
        if size is not None and received != size:
            raise PullError("GET %s: %d bytes, expected %d" % (path, received, size))
        return bytes(kept) if keep else None


def _collect(manifest, blobs):
    for descriptor in [manifest["config"]] + manifest.get("layers", []):
        blobs[descriptor["digest"]] = descriptor["size"]


def wave(host, port, repository, tag, clients, parallel=3):
    """N pullers created first, then released together; wall time until the last one ends.
    `port` may be a list of ports (replicas of one cache): client i pulls through port[i % n]."""
    ports = list(port) if isinstance(port, (list, tuple)) else [port]
    release = threading.Event()
    results = [None] * clients

    def client(i):
        puller = Puller(host, ports[i % len(ports)], repository, tag, parallel)
        release.wait()
        start = time.monotonic()
        try:
            puller.pull()
            results[i] = {"ok": True, "seconds": time.monotonic() - start, "bytes": puller.bytes}
        except Exception as error:  # noqa: BLE001 -- every failure is reported, none is fatal
            results[i] = {"ok": False, "seconds": time.monotonic() - start,
                          "bytes": puller.bytes, "error": "%s: %s" % (type(error).__name__, error)}

    threads = [threading.Thread(target=client, args=(i,), name="puller-%d" % i)
               for i in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    start = time.monotonic()
    release.set()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - start
    times = [r["seconds"] for r in results]
    failures = [r["error"] for r in results if not r["ok"]]
    return {
        "clients": clients,
        "wall_seconds": wall,
        "client_seconds_min": min(times),
        "client_seconds_median": statistics.median(times),
        "client_seconds_max": max(times),
        "bytes_to_clients": sum(r["bytes"] for r in results),
        "failures": len(failures),
        "errors": failures[:5],
    }
