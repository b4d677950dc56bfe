#!/usr/bin/env python3
"""Memory under load: N concurrent downloads of one big blob through Stevedore with a small heap.

Starts a plain CNCF registry holding one random blob (written straight into its storage), then, for
each round, a fresh Stevedore with -Xmx256m in front of it, and runs a cold wave (every client
streams the one upstream download while it arrives) and a warm wave (zero-copy from the cache) of
concurrent curl downloads, sampling Stevedore's RSS and heap while they run. Every download's
sha256 is checked, and the upstream downloads are counted from the registry's access log (and
cross-checked with Stevedore's stevedore_upstream_* metrics). Loopback only. Prints a table and
writes bench/memory/results/<date>-<time>-<commit>/results.json.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
import runinfo  # noqa: E402 -- after the path to bench/lib

REPO = "library/bigblob"
READ_CHUNK = 1024 * 1024
# The registry's access log (combined log format): "GET /v2/... HTTP/1.1" 200 1073741824
ACCESS_LINE = re.compile(r'"(GET|HEAD) (\S+) HTTP/[\d.]+" (\d{3}) (\d+|-)')
METRIC_LINE = re.compile(r"^(stevedore_upstream_\w+)\{([^}]*)\} (\S+)$")


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


def metrics(base):
    return urllib.request.urlopen(base + "/metrics", timeout=5).read().decode()


def heap_used_bytes(base):
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics(base).splitlines()
        if line.startswith("jvm_memory_used_bytes{") and 'area="heap"' in line
    )


def stevedore_upstream(base):
    """Stevedore's own count of what it asked its upstreams: requests by kind, and blob bytes."""
    found = {"requests": {}, "fetched_bytes": 0.0}
    for line in metrics(base).splitlines():
        match = METRIC_LINE.match(line)
        if not match:
            continue
        name, labels, value = match.groups()
        if name == "stevedore_upstream_requests_total":
            kind = re.search(r'kind="([^"]*)"', labels)
            key = kind.group(1) if kind else "?"
            found["requests"][key] = found["requests"].get(key, 0) + float(value)
        elif name == "stevedore_upstream_fetched_bytes_total":
            found["fetched_bytes"] += float(value)
    return found


def metrics_delta(before, after):
    kinds = set(before["requests"]) | set(after["requests"])
    return {
        "requests": {k: int(after["requests"].get(k, 0) - before["requests"].get(k, 0))
                     for k in sorted(kinds)},
        "fetched_bytes": int(after["fetched_bytes"] - before["fetched_bytes"]),
    }


class AccessLog:
    """The registry's access log: what the upstream itself served, read from an offset on."""

    def __init__(self, path):
        self.path = path
        self.offset = 0

    def mark(self):
        self.offset = os.path.getsize(self.path)

    def blob_gets(self):
        """(count, bytes sent) of blob GETs logged since mark()."""
        with open(self.path, "rb") as log:
            log.seek(self.offset)
            text = log.read().decode("utf-8", "replace")
        count, sent = 0, 0
        for match in ACCESS_LINE.finditer(text):
            method, path, _status, size = match.groups()
            if method == "GET" and "/blobs/sha256:" in path:
                count += 1
                sent += 0 if size == "-" else int(size)
        return count, sent


def download(url, verify):
    """One curl download; the body comes through a pipe and is hashed here. Returns
    (status, bytes, "sha256:..." or None)."""
    curl = subprocess.Popen(
        ["curl", "-s", "-o", "-", "-w", "%{stderr}%{http_code}", url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    hasher = hashlib.sha256() if verify else None
    received = 0
    buf = bytearray(READ_CHUNK)
    view = memoryview(buf)
    while True:
        n = curl.stdout.readinto(buf)
        if not n:
            break
        received += n
        if hasher:
            hasher.update(view[:n])
    status = curl.stderr.read().decode().strip()
    curl.wait()
    return status, received, ("sha256:" + hasher.hexdigest()) if hasher else None


def wave(base, digest, clients, size, pid, verify):
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
    results = [None] * clients
    release = threading.Event()

    def client(i):
        release.wait()
        results[i] = download(url, verify)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    started = time.time()
    release.set()
    for thread in threads:
        thread.join()
    elapsed = time.time() - started
    done.set()
    sampler.join()
    def good(status, got, hashed):
        return status == "200" and got == size and (not verify or hashed == digest)

    failures = sorted({"HTTP %s, %d bytes, %s" % (status, got, hashed)
                       for status, got, hashed in results if not good(status, got, hashed)})
    return {
        "clients": clients,
        "ok": sum(1 for result in results if good(*result)),
        "checked": "status, size and sha256" if verify else "status and size",
        "failures": failures[:5],
        "seconds": round(elapsed, 2),
        "gib_per_s": round(clients * size / elapsed / 2**30, 2),
        "peak_rss_mib": round(peak["rss_kib"] / 1024),
        "peak_heap_mib": round(peak["heap"] / 2**20),
    }


def measure(label, base, access_log, **kwargs):
    """A wave, with the upstream's blob GETs in it: from the registry's access log and from
    Stevedore's metrics."""
    access_log.mark()
    before = stevedore_upstream(base)
    result = wave(base, **kwargs)
    time.sleep(0.5)  # the registry writes its access line after the body
    count, sent = access_log.blob_gets()
    result["upstream_blob_gets"] = count
    result["upstream_blob_bytes"] = sent
    result["stevedore_metrics"] = metrics_delta(before, stevedore_upstream(base))
    result["label"] = label
    return result


def start_stevedore(args, work, reg_port, round_no):
    port = free_port()
    data = os.path.join(work, "stevedore-%d" % round_no)
    proc = subprocess.Popen(
        [
            "java", f"-Xmx{args.xmx}", "-jar", args.jar, "serve",
            "--listen", f"127.0.0.1:{port}",
            "--data", data,
            "--upstream", f"docker.io=http://127.0.0.1:{reg_port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(os.path.join(work, "stevedore-%d.log" % round_no), "w"),
        env=dict(os.environ, STEVEDORE_LOG_LEVEL="WARN"),
    )
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/v2/", proc)
    return proc, base, data


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def summary(rounds, phase):
    waves = [r[phase] for r in rounds]
    return {
        "seconds": runinfo.spread([w["seconds"] for w in waves]),
        "gib_per_s": runinfo.spread([w["gib_per_s"] for w in waves]),
        "peak_rss_mib_max": max(w["peak_rss_mib"] for w in waves),
        "peak_heap_mib_max": max(w["peak_heap_mib"] for w in waves),
        "ok": sum(w["ok"] for w in waves),
        "downloads": sum(w["clients"] for w in waves),
        "upstream_blob_gets": runinfo.spread([w["upstream_blob_gets"] for w in waves]),
        "upstream_blob_bytes": runinfo.spread([w["upstream_blob_bytes"] for w in waves]),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--xmx", default="256m")
    parser.add_argument("--rounds", type=int, default=3,
                        help="cold + warm wave on a fresh Stevedore, N times; the median time "
                             "and the largest memory are reported (3)")
    parser.add_argument("--no-verify", action="store_true",
                        help="do not hash the downloads (then only status and size are checked)")
    parser.add_argument("--jar", default="proxy-server/target/stevedore.jar")
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--results", default=os.path.join(here, "results"),
                        help="parent of the run's <date>-<time>-<commit> directory")
    args = parser.parse_args()
    for tool in ("docker-registry", "curl", "java"):
        if shutil.which(tool) is None:
            raise SystemExit(f"needs {tool} "
                             "(apt-get install docker-registry curl default-jre-headless)")
    if not os.path.exists(args.jar):
        raise SystemExit(f"build first: ./mvnw -B -q -DskipTests package ({args.jar} missing)")
    verify = not args.no_verify
    results = {
        "benchmark": "bench/memory/flat-memory.py",
        "options": vars(args),
        "machine": runinfo.machine_info("java", {
            "docker_registry": ["docker-registry", "--version"],
            "curl": ["curl", "--version"]}),
    }
    work = tempfile.mkdtemp(prefix="stevedore-mem-")
    procs = []
    try:
        storage = os.path.join(work, "registry")
        os.makedirs(storage)
        print(f"writing a {args.size_mib} MiB blob ...", file=sys.stderr)
        digest = make_blob(storage, args.size_mib)
        reg_port = free_port()
        config = os.path.join(work, "registry.yml")
        with open(config, "w") as out:
            json.dump(
                {
                    "version": 0.1,
                    "log": {"level": "warn", "accesslog": {"disabled": False}},
                    "storage": {"filesystem": {"rootdirectory": storage}},
                    "http": {"addr": f"127.0.0.1:{reg_port}"},
                },
                out,
            )
        registry_log = os.path.join(work, "registry.log")
        registry = subprocess.Popen(["docker-registry", "serve", config],
                                    stdout=open(registry_log, "ab"), stderr=subprocess.STDOUT)
        procs.append(registry)
        wait_http(f"http://127.0.0.1:{reg_port}/v2/", registry)
        access_log = AccessLog(registry_log)
        size = args.size_mib * 2**20
        rounds = []
        for round_no in range(1, args.rounds + 1):
            print(f"round {round_no} of {args.rounds}: a fresh Stevedore, cold then warm wave ...",
                  file=sys.stderr)
            stevedore, base, data = start_stevedore(args, work, reg_port, round_no)
            procs.append(stevedore)
            waves = {"cold": measure("cold", base, access_log, digest=digest,
                                     clients=args.clients, size=size, pid=stevedore.pid,
                                     verify=verify),
                     "warm": measure("warm", base, access_log, digest=digest,
                                     clients=args.clients, size=size, pid=stevedore.pid,
                                     verify=verify)}
            waves["vm_hwm_mib"] = status_kib(stevedore.pid, "VmHWM") // 1024
            rounds.append(waves)
            stop(stevedore)
            procs.remove(stevedore)
            shutil.rmtree(data, ignore_errors=True)
        results["blob"] = {"digest": digest, "bytes": size}
        results["rounds"] = rounds
        figures = {"cold": summary(rounds, "cold"), "warm": summary(rounds, "warm"),
                   "vm_hwm_mib_max": max(r["vm_hwm_mib"] for r in rounds)}
        results["figures"] = figures
        # The claims of the README, checked: every download whole and correct; the cold wave
        # fetched the blob from the upstream exactly once, the warm wave not at all.
        checks = {
            "every download ok (%s)" % ("status, size and sha256" if verify else "status and size"):
                all(r[p]["ok"] == r[p]["clients"] for r in rounds for p in ("cold", "warm")),
            "cold wave: exactly one upstream blob GET of the whole blob, every round":
                all(r["cold"]["upstream_blob_gets"] == 1
                    and r["cold"]["upstream_blob_bytes"] == size for r in rounds),
            "warm wave: no upstream blob GET, every round":
                all(r["warm"]["upstream_blob_gets"] == 0 for r in rounds),
            "Stevedore's metrics agree: one blob request and the blob's bytes (cold), none (warm)":
                all(r["cold"]["stevedore_metrics"]["requests"].get("blob_get", 0) == 1
                    and r["cold"]["stevedore_metrics"]["fetched_bytes"] == size
                    and r["warm"]["stevedore_metrics"]["requests"].get("blob_get", 0) == 0
                    for r in rounds),
        }
        results["checks"] = {name: "PASS" if ok else "FAIL" for name, ok in checks.items()}
        out_dir = runinfo.new_run_dir(args.results)
        with open(os.path.join(out_dir, "results.json"), "w") as out:
            json.dump(results, out, indent=1)

        checked = "status, size and sha256" if verify else "status and size (not hashed)"
        print(f"\n{args.clients} concurrent downloads of a {args.size_mib} MiB blob, Stevedore "
              f"-Xmx{args.xmx}, {args.rounds} round(s) on fresh Stevedores; every download's "
              f"{checked} checked\n")
        print(f"{'wave':6} {'ok':>9} {'secs: median (min–max)':>24} {'GiB/s: median':>14} "
              f"{'peak RSS MiB':>13} {'peak heap MiB':>14} {'upstream blob GETs / MiB':>25}")
        for phase in ("cold", "warm"):
            f = figures[phase]
            seconds = runinfo.fmt_spread(f["seconds"], "%.1f")
            upstream = "%s / %s" % (_range(f["upstream_blob_gets"]),
                                    _range(f["upstream_blob_bytes"], 2**20))
            print(f"{phase:6} {f['ok']:>4}/{f['downloads']:<4} {seconds:>24} "
                  f"{f['gib_per_s']['median']:>14.2f} {f['peak_rss_mib_max']:>13} "
                  f"{f['peak_heap_mib_max']:>14} {upstream:>25}")
        print(f"\n(peak RSS and heap: the largest over the rounds; upstream: from the registry's "
              f"access log, per wave)")
        print("Stevedore peak RSS over a whole round (VmHWM), largest: %d MiB"
              % figures["vm_hwm_mib_max"])
        for round_no, r in enumerate(rounds, 1):
            for phase in ("cold", "warm"):
                for failure in r[phase]["failures"]:
                    print(f"round {round_no} {phase}: FAILED download: {failure}")
        print()
        for name, verdict in results["checks"].items():
            print(f"{verdict:4}  {name}")
        print(f"\nresults: {os.path.relpath(out_dir)}/results.json")
        return 0 if all(checks.values()) else 1
    finally:
        for proc in procs:
            stop(proc)
        shutil.rmtree(work, ignore_errors=True)


def _range(found, unit=1):
    low, high = found["min"] / unit, found["max"] / unit
    return "%g" % low if low == high else "%g–%g" % (low, high)


if __name__ == "__main__":
    sys.exit(main())
