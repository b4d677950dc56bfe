"""The benchmark image: generated from a seed, pushed to a registry over the plain HTTP API.

Two platforms (linux/amd64, linux/arm64) in a Docker manifest list. The amd64 platform carries
the big layer that the warm blob throughput is measured on. Layers are random bytes (they do not
need to be real gzip: registries store blobs without looking inside).
"""

import base64
import hashlib
import http.client
import json
import random
import urllib.parse
import urllib.request

MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG_TYPE = "application/vnd.docker.container.image.v1+json"
LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip"

# What containerd sends when it resolves a tag.
ACCEPT_ALL = ", ".join([MANIFEST_V2, MANIFEST_LIST, OCI_MANIFEST, OCI_INDEX, "*/*"])

KIB = 1024
MIB = 1024 * KIB


def sha256_digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Blob:
    def __init__(self, media_type, data):
        self.media_type = media_type
        self.data = data
        self.digest = sha256_digest(data)
        self.size = len(data)

    def descriptor(self):
        return {"mediaType": self.media_type, "size": self.size, "digest": self.digest}


class Platform:
    def __init__(self, os_name, arch, config, layers):
        self.os = os_name
        self.arch = arch
        self.config = config
        self.layers = layers
        self.manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": MANIFEST_V2,
                "config": config.descriptor(),
                "layers": [layer.descriptor() for layer in layers],
            },
            indent=3,
        ).encode()
        self.manifest_digest = sha256_digest(self.manifest)


class BenchImage:
    """linux/amd64: big + 8 MiB + 1 MiB + 64 KiB layers; linux/arm64: 24 MiB + 4 MiB + 64 KiB."""

    def __init__(self, repository, tag, big_mib=64, seed=8):
        self.repository = repository
        self.tag = tag
        rng = random.Random(seed)

        def layer(size):
            return Blob(LAYER_TYPE, rng.randbytes(size))

        self.big_layer = layer(big_mib * MIB)
        amd64 = Platform(
            "linux", "amd64", self._config("amd64", rng),
            [self.big_layer, layer(8 * MIB), layer(1 * MIB), layer(64 * KIB)],
        )
        arm64 = Platform(
            "linux", "arm64", self._config("arm64", rng),
            [layer(24 * MIB), layer(4 * MIB), layer(64 * KIB)],
        )
        self.platforms = [amd64, arm64]
        self.index = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": MANIFEST_LIST,
                "manifests": [
                    {
                        "mediaType": MANIFEST_V2,
                        "size": len(p.manifest),
                        "digest": p.manifest_digest,
                        "platform": {"architecture": p.arch, "os": p.os},
                    }
                    for p in self.platforms
                ],
            },
            indent=3,
        ).encode()
        self.index_digest = sha256_digest(self.index)

    @staticmethod
    def _config(arch, rng):
        config = {
            "architecture": arch,
            "os": "linux",
            "config": {"Env": ["PATH=/usr/bin:/bin"], "Cmd": ["/bin/sh"]},
            "rootfs": {"type": "layers", "diff_ids": []},
            "history": [{"created_by": "stevedore bench %016x" % rng.getrandbits(64)}],
        }
        return Blob(CONFIG_TYPE, json.dumps(config).encode())

    def blobs(self):
        """Every distinct blob (configs and layers), in pull order."""
        seen = {}
        for platform in self.platforms:
            for blob in [platform.config] + platform.layers:
                seen.setdefault(blob.digest, blob)
        return list(seen.values())

    def manifests(self):
        """(digest, media type, bytes) of the index and every platform manifest."""
        return [(self.index_digest, MANIFEST_LIST, self.index)] + [
            (p.manifest_digest, MANIFEST_V2, p.manifest) for p in self.platforms
        ]

    def total_bytes(self):
        """What one client pulls: all blobs and all manifests."""
        return sum(b.size for b in self.blobs()) + sum(len(m[2]) for m in self.manifests())

    def summary(self):
        return {
            "repository": self.repository,
            "tag": self.tag,
            "index_digest": self.index_digest,
            "big_layer_digest": self.big_layer.digest,
            "big_layer_bytes": self.big_layer.size,
            "amd64_manifest_digest": self.platforms[0].manifest_digest,
            "amd64_manifest_bytes": len(self.platforms[0].manifest),
            "blobs": len(self.blobs()),
            "blob_bytes": sum(b.size for b in self.blobs()),
            "manifests": len(self.manifests()),
            "total_bytes": self.total_bytes(),
        }


def push_token(auth, repository):
    """A pull,push token for `repository` from the token service (its token-service.json), asked
    for with the push account's Basic credentials, as `docker login` + `docker push` would."""
    query = urllib.parse.urlencode({"service": auth["service"],
                                    "scope": "repository:%s:pull,push" % repository})
    basic = base64.b64encode(("%s:%s" % (auth["username"], auth["password"])).encode()).decode()
    request = urllib.request.Request(auth["realm"] + "?" + query,
                                     headers={"Authorization": "Basic " + basic})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["token"]


def push(host, port, image, auth=None):
    """Monolithic blob uploads, then the platform manifests, then the list under the tag; with a
    token from `auth` (a token-service.json) when the registry asks for one."""
    conn = http.client.HTTPConnection(host, port, timeout=120)
    headers = {"Authorization": "Bearer " + push_token(auth, image.repository)} if auth else {}
    try:
        for blob in image.blobs():
            _push_blob(conn, image.repository, blob, headers)
        for platform in image.platforms:
            _put_manifest(conn, image.repository, platform.manifest_digest, MANIFEST_V2,
                          platform.manifest, headers)
        _put_manifest(conn, image.repository, image.tag, MANIFEST_LIST, image.index, headers)
    finally:
        conn.close()


def _push_blob(conn, repository, blob, auth_headers):
    conn.request("POST", "/v2/%s/blobs/uploads/" % repository, body=b"",
                 headers=dict(auth_headers, **{"Content-Length": "0"}))
    response = conn.getresponse()
    response.read()
    if response.status != 202:
        raise RuntimeError("upload start for %s: HTTP %d" % (blob.digest, response.status))
    location = urllib.parse.urlsplit(response.getheader("Location"))
    query = location.query + ("&" if location.query else "") + "digest=" + blob.digest
    conn.request("PUT", location.path + "?" + query, body=blob.data,
                 headers=dict(auth_headers, **{"Content-Type": "application/octet-stream",
                                               "Content-Length": str(blob.size)}))
    response = conn.getresponse()
    response.read()
    if response.status != 201:
        raise RuntimeError("upload of %s: HTTP %d" % (blob.digest, response.status))


def _put_manifest(conn, repository, reference, media_type, body, auth_headers):
    conn.request("PUT", "/v2/%s/manifests/%s" % (repository, reference), body=body,
                 headers=dict(auth_headers, **{"Content-Type": media_type,
                                               "Content-Length": str(len(body))}))
    response = conn.getresponse()
    text = response.read()
    if response.status != 201:
        raise RuntimeError("manifest %s: HTTP %d %s" % (reference, response.status, text[:300]))
