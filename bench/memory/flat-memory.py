#!/usr/bin/env python3
"""Memory under load: N concurrent downloads of one big blob through Stevedore with a small heap.

Starts a plain CNCF registry holding one random blob (written straight into its storage), starts
Stevedore with -Xmx256m in front of it, then runs a cold wave (every client streams the one
upstream download while it arrives) and a warm wave (zero-copy from the cache) of concurrent curl
downloads, sampling Stevedore's RSS and heap while they run. Loopback only. Prints a table.
"""

import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

REPO = "library/bigblob"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, proc, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"process for {url} exited early")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def make_blob(storage, size_mib):
    """Writes a random blob into the registry's filesystem layout and links it to REPO."""
    tmp = os.path.join(storage, "blob.tmp")
    digest = hashlib.sha256()
    chunk = 8 * 1024 * 1024
    with open("/dev/urandom", "rb") as rnd, open(tmp, "wb") as out:
        for _ in range(size_mib // 8):
            data = rnd.read(chunk)
            digest.update(data)
            out.write(data)
    hexd = digest.hexdigest()
    base = os.path.join(storage, "docker", "registry", "v2")
    data_dir = os.path.join(base, "blobs", "sha256", hexd[:2], hexd)
    os.makedirs(data_dir)
    os.rename(tmp, os.path.join(data_dir, "data"))
    link_dir = os.path.join(base, "repositories", REPO, "_layers", "sha256", hexd)
    os.makedirs(link_dir)
    with open(os.path.join(link_dir, "link"), "w") as link:
        link.write("sha256:" + hexd)
    return "sha256:" + hexd


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def heap_used_bytes(base):
    text = urllib.request.urlopen(base + "/metrics", timeout=5).read().decode()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("jvm_memory_used_bytes{") and 'area="heap"' in line
    )


def wave(base, digest, clients, size, pid):
    url = f"{base}/v2/{REPO}/blobs/{digest}"
    peak = {"rss_kib": 0, "heap": 0.0}
    done = threading.Event()

    def sample():
        while not done.is_set():
            try:
                peak["rss_kib"] = max(peak["rss_kib"], status_kib(pid, "VmRSS"))
                peak["heap"] = max(peak["heap"], heap_used_bytes(base))
            except OSError:
                pass
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.time()
    procs = [
        subprocess.Popen(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", url],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(clients)
    ]
    results = [p.communicate()[0].split() for p in procs]
    elapsed = time.time() - started
    done.set()
    sampler.join()
    ok = sum(1 for code, got in results if code == "200" and int(got) == size)
    return {
        "clients": clients,
        "ok": ok,
        "seconds": round(elapsed, 1),
        "gib_per_s": round(clients * size / elapsed / 2**30, 2),
        "peak_rss_mib": round(peak["rss_kib"] / 1024),
        "peak_heap_mib": round(peak["heap"] / 2**20),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--xmx", default="256m")
    parser.add_argument("--jar", default="proxy-server/target/stevedore.jar")
    args = parser.parse_args()
    for tool in ("docker-registry", "curl", "java"):
        if shutil.which(tool) is None:
            raise SystemExit(f"needs {tool} (apt-get install docker-registry curl default-jre-headless)")
    if not os.path.exists(args.jar):
        raise SystemExit(f"build first: ./mvnw -B -q -DskipTests package ({args.jar} missing)")
    work = tempfile.mkdtemp(prefix="stevedore-mem-")
    procs = []
    try:
        storage = os.path.join(work, "registry")
        os.makedirs(storage)
        print(f"writing a {args.size_mib} MiB blob ...", file=sys.stderr)
        digest = make_blob(storage, args.size_mib)
        reg_port, proxy_port = free_port(), free_port()
        config = os.path.join(work, "registry.yml")
        with open(config, "w") as out:
            json.dump(
                {
                    "version": 0.1,
                    "log": {"level": "warn"},
                    "storage": {"filesystem": {"rootdirectory": storage}},
                    "http": {"addr": f"127.0.0.1:{reg_port}"},
                },
                out,
            )
        registry = subprocess.Popen(
            ["docker-registry", "serve", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        procs.append(registry)
        wait_http(f"http://127.0.0.1:{reg_port}/v2/", registry)
        stevedore = subprocess.Popen(
            [
                "java", f"-Xmx{args.xmx}", "-jar", args.jar, "serve",
                "--listen", f"127.0.0.1:{proxy_port}",
                "--data", os.path.join(work, "stevedore"),
                "--upstream", f"docker.io=http://127.0.0.1:{reg_port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(work, "stevedore.log"), "w"),
            env=dict(os.environ, STEVEDORE_LOG_LEVEL="WARN"),
        )
        procs.append(stevedore)
        base = f"http://127.0.0.1:{proxy_port}"
        wait_http(base + "/v2/", stevedore)
        size = args.size_mib * 2**20
        rows = [
            ("cold (one upstream download, all stream it)", wave(base, digest, args.clients, size, stevedore.pid)),
            ("warm (from the cache)", wave(base, digest, args.clients, size, stevedore.pid)),
        ]
        hwm = status_kib(stevedore.pid, "VmHWM") // 1024
        print(f"\n{args.clients} concurrent downloads of a {args.size_mib} MiB blob, Stevedore -Xmx{args.xmx}\n")
        print(f"{'wave':46} {'ok':>7} {'secs':>6} {'GiB/s':>6} {'peak RSS MiB':>13} {'peak heap MiB':>14}")
        for name, row in rows:
            print(
                f"{name:46} {row['ok']:>3}/{row['clients']:<3} {row['seconds']:>6} {row['gib_per_s']:>6}"
                f" {row['peak_rss_mib']:>13} {row['peak_heap_mib']:>14}"
            )
        print(f"\nStevedore peak RSS over the whole run (VmHWM): {hwm} MiB")
        failed = any(row["ok"] != row["clients"] for _, row in rows)
        return 1 if failed else 0
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
