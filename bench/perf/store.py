#!/usr/bin/env python3
"""Warm blob throughput with the shared store (issue 15), beside nginx, on loopback.

Normally started by bench/perf/store.sh, which checks the tools, builds the jar and fetches
S3Proxy. See the section "The shared store" of README.md. Measures the 64 MiB layer for:

- local:    Stevedore with --store, serving its local tier (the layer pulled through it once);
- stream:   a second Stevedore on the same bucket with --max-cache-size below the layer, so the
            local tier cannot keep it and every request is a miss there, streamed from the bucket
            (the store bytes each run read are counted from S3Proxy's /proc/<pid>/io);
- redirect: a third one with --blob-redirect: the raw 307 answers/s (wrk), and the whole
            download by a client that follows the 307 to S3Proxy (curl -L), requests/s and GiB/s;
- nginx:    the same file, with wrk, and with the same curl client (the reference of the redirect).
"""

import argparse
import datetime
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))

import bench  # noqa: E402 -- after the path to bench/lib
import image as images  # noqa: E402
import puller  # noqa: E402
import runinfo  # noqa: E402
import servers  # noqa: E402
import uplink as uplinks  # noqa: E402

HOST = servers.HOST
MIB = 1024 * 1024
GIB = 1024 * MIB
BUCKET, PREFIX = "bench", "cache"
IDENTITY, CREDENTIAL = "bench", "bench-secret-key"
log = bench.log


def parse_args(argv):
    p = argparse.ArgumentParser(prog="bench/perf/store.sh", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", default="10s", help="length of each measured run (10s)")
    p.add_argument("--warmup", default="3s",
                   help="unmeasured wrk run before each server's first round (3s; 0 skips)")
    p.add_argument("--rounds", type=int, default=3,
                   help="measured runs per server and measure, in rotation; the median is "
                        "reported (3)")
    p.add_argument("--connections", default="1,16", help="client counts (1,16)")
    p.add_argument("--big-mib", type=int, default=64, help="size of the big layer (64)")
    p.add_argument("--jar", default=os.path.join(REPO, "proxy-server/target/stevedore.jar"))
    p.add_argument("--s3proxy-jar", required=True,
                   help="org.gaul:s3proxy's jar-with-dependencies (store.sh fetches it)")
    p.add_argument("--java", default=shutil.which("java") or "java")
    p.add_argument("--java-opts", default="-Xmx512m", help="Stevedore's JVM options (-Xmx512m)")
    p.add_argument("--stevedore-log-level", default="WARN")
    p.add_argument("--registry", default="/usr/bin/docker-registry")
    p.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    p.add_argument("--wrk", default=shutil.which("wrk") or "wrk")
    p.add_argument("--curl", default=shutil.which("curl") or "curl")
    p.add_argument("--workdir", required=True, help="scratch directory")
    p.add_argument("--results", default=os.path.join(HERE, "results"),
                   help="parent of the result directory <date>-<time>-store-<commit>")
    return p.parse_args(argv)


def read_bytes(pid):
    """rchar of /proc/<pid>/io: every byte the process read (files and sockets)."""
    try:
        with open("/proc/%d/io" % pid) as io:
            for line in io:
                if line.startswith("rchar:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_curl(curl, url, clients, duration):
    """`clients` curl processes, each GETting `url` again and again on its connections (-L: it
    follows a redirect) until `duration` is over. A client's rate is the bytes of its completed
    downloads over the time of its last completion (a download cut at the end is not counted,
    nor its time); the result sums them."""
    seconds = bench.parse_seconds(duration)
    repeat = 2000
    argv = [curl, "-s", "-L", "--max-time", str(int(seconds) + 60),
            # %{stderr}: the line per download goes to stderr, which curl does not buffer
            "-w", "%{stderr}%{http_code} %{size_download} %{num_redirects}\\n"]
    for _ in range(repeat):
        argv += ["-o", "/dev/null", url]
    per_client = [None] * clients
    started = time.monotonic()
    deadline = started + seconds

    def client(number):
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)
        done = {"requests": 0, "bytes": 0, "redirects": 0, "errors": 0, "last": started}
        timer = threading.Timer(max(0.0, deadline - time.monotonic()),
                                lambda: proc.poll() is None and proc.kill())
        timer.start()
        try:
            for line in proc.stderr:
                now = time.monotonic()
                if now > deadline:
                    break
                status, size, redirects = line.split()
                if status != "200":
                    done["errors"] += 1
                    continue
                done["requests"] += 1
                done["bytes"] += int(size)
                done["redirects"] += int(redirects)
                done["last"] = now
        finally:
            timer.cancel()
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        per_client[number] = done

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rate_bytes = sum(c["bytes"] / (c["last"] - started) for c in per_client if c["requests"])
    rate_requests = sum(c["requests"] / (c["last"] - started) for c in per_client
                        if c["requests"])
    return {"clients": clients, "url": url, "per_client": per_client,
            "requests": sum(c["requests"] for c in per_client),
            "bytes": sum(c["bytes"] for c in per_client),
            "redirects": sum(c["redirects"] for c in per_client),
            "errors": sum(c["errors"] for c in per_client),
            "bytes_per_second": rate_bytes, "requests_per_second": rate_requests}


class StoreBench:
    def __init__(self, args):
        self.args = args
        self.workdir = args.workdir
        self.procs = []
        self.uplink = None
        self.results = {}
        self.text = []

    def _track(self, proc):
        self.procs.append(proc)
        with open(os.path.join(self.workdir, "pids"), "a") as pids:
            pids.write("%d\n" % proc.pid)
        log("  started %s (pid %d)" % (proc.name, proc.pid))
        return proc

    def stop_all(self):
        for proc in reversed(self.procs):
            try:
                proc.stop()
            except Exception as error:  # noqa: BLE001
                log("  could not stop %s (pid %d): %s" % (proc.name, proc.pid, error))
        self.procs.clear()
        if self.uplink:
            self.uplink.close()

    def _stevedore(self, name, port, s3_port, extra):
        a = self.args
        store = ["--store", "s3://%s/%s" % (BUCKET, PREFIX),
                 "--s3-endpoint", "http://%s:%d" % (HOST, s3_port), "--s3-region", "us-east-1"]
        env = {"AWS_ACCESS_KEY_ID": IDENTITY, "AWS_SECRET_ACCESS_KEY": CREDENTIAL,
               "AWS_EC2_METADATA_DISABLED": "true"}
        return self._track(servers.start_stevedore(
            name, a.java, self.jar, a.java_opts.split(), self.workdir, port,
            os.path.join(self.workdir, name), "http://%s:%d" % (HOST, self.uplink.port),
            a.stevedore_log_level, store + extra, env))

    def run(self):
        a = self.args
        self.results = {
            "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": runinfo.machine_info(a.java, {"nginx": [a.nginx, "-v"],
                                                     "wrk": [a.wrk, "-v"],
                                                     "curl": [a.curl, "--version"]}),
            "options": {k: v for k, v in vars(a).items() if k != "workdir"},
        }
        self.jar = os.path.join(self.workdir, "stevedore.jar")
        shutil.copy2(a.jar, self.jar)
        log("store: S3Proxy (filesystem provider), upstream docker-registry, nginx")
        s3_port = servers.free_port()
        s3proxy = self._track(servers.start_s3proxy(a.java, a.s3proxy_jar, self.workdir, s3_port,
                                                    BUCKET, IDENTITY, CREDENTIAL))
        upstream_port = servers.free_port()
        self.uplink = uplinks.Uplink(HOST, HOST, upstream_port)
        self._track(servers.start_registry("upstream", a.registry, self.workdir, upstream_port,
                                           os.path.join(self.workdir, "upstream")))
        img = images.BenchImage("library/bench", "v1", big_mib=a.big_mib)
        images.push(HOST, upstream_port, img)
        self.results["image"] = img.summary()
        big = img.big_layer
        ports = {name: servers.free_port() for name in ("nginx", "local", "stream", "redirect")}
        procs = {"nginx": self._track(servers.start_nginx(a.nginx, self.workdir, ports["nginx"],
                                                          {"blob": big.data}))}
        log("Stevedore ×3 on one bucket: local tier, streamed (--max-cache-size 1MiB), redirect")
        procs["local"] = self._stevedore("stevedore-local", ports["local"], s3_port, [])
        procs["stream"] = self._stevedore("stevedore-stream", ports["stream"], s3_port,
                                          ["--max-cache-size", "1MiB"])
        procs["redirect"] = self._stevedore("stevedore-redirect", ports["redirect"], s3_port,
                                            ["--blob-redirect"])
        log("pulling %s:%s through the local one (fills its tier and the bucket)"
            % (img.repository, img.tag))
        puller.Puller(HOST, ports["local"], img.repository, img.tag).pull()
        key = os.path.join(self.workdir, "s3proxy", "data", BUCKET, PREFIX, "blobs", "sha256",
                           big.digest.split(":")[1][:2], big.digest.split(":")[1])
        wait_for(lambda: os.path.exists(key) and os.path.getsize(key) == len(big.data), 60,
                 "the layer in the bucket (%s)" % key)
        path = "/v2/%s/blobs/%s" % (img.repository, big.digest)
        # One warming GET each: the local tier already holds it; the streamed one and the
        # redirecting one learn that the bucket does (and their JITs start).
        for name in ("local", "stream"):
            status, size = get(ports[name], path)
            if status != 200 or size != len(big.data):
                raise RuntimeError("%s: GET %s gave %d, %d bytes" % (name, path, status, size))
        status, _ = get(ports["redirect"], path)
        if status != 307:
            raise RuntimeError("redirect: GET %s gave %d, not 307" % (path, status))
        urls = {name: "http://%s:%d%s" % (HOST, ports[name], path)
                for name in ("local", "stream", "redirect")}
        urls["nginx"] = "http://%s:%d/blob" % (HOST, ports["nginx"])
        # measure -> [(server, tool, url)]
        plan = [("blob", [("nginx", "wrk", urls["nginx"]), ("local", "wrk", urls["local"]),
                          ("stream", "wrk", urls["stream"])]),
                ("redirect_307", [("redirect", "wrk", urls["redirect"])]),
                ("blob_follow", [("nginx", "curl", urls["nginx"]),
                                 ("redirect", "curl", urls["redirect"])])]
        measured = self.results.setdefault("measured", {})
        for connections in [int(c) for c in a.connections.split(",")]:
            for measure, servers_ in plan:
                name = "%s_%d" % (measure, connections)
                for round_no in range(a.rounds):
                    for server, tool, url in servers_:
                        if (tool == "wrk" and round_no == 0
                                and bench.parse_seconds(a.warmup) > 0):
                            bench.run_wrk(a.wrk, url, connections, a.warmup, None)
                        self.uplink.counts.reset()
                        store_read0 = read_bytes(s3proxy.pid)
                        watched = {server: procs[server], "s3proxy": s3proxy}
                        meter = bench.CpuMeter(watched).start()
                        if tool == "wrk":
                            result = bench.run_wrk(a.wrk, url, connections, a.duration, None)
                            value = wrk_rate(result, measure)
                            self.text.append("## %s %s round %d\n%s" % (
                                name, server, round_no + 1, result.get("stdout", "")))
                            result.pop("stdout", None)
                        else:
                            result = run_curl(a.curl, url, connections, a.duration)
                            value = result["bytes_per_second"]
                        result["cpu"] = meter.stop()
                        result["store_bytes_read"] = read_bytes(s3proxy.pid) - store_read0
                        result["upstream"] = self.uplink.counts.snapshot()
                        result["value"] = value
                        measured.setdefault(name, {}).setdefault(server, []).append(result)
                        log("  %-16s %-9s %s" % (name, server, summarize(result, measure)))
                        if procs[server].poll() is not None:
                            raise RuntimeError("%s died during %s" % (server, name))
        self.results["finished"] = datetime.datetime.now().astimezone().isoformat(
            timespec="seconds")

    def write(self):
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        out = os.path.join(self.args.results, "%s-store-%s" % (stamp, runinfo.commit()))
        os.makedirs(os.path.join(out, "logs"), exist_ok=True)
        rows = table_rows(self.results)
        self.results["table"] = rows
        self.results["interference"] = interference(self.results)
        with open(os.path.join(out, "results.json"), "w") as f:
            json.dump(self.results, f, indent=1, default=str)
        text = text_table(rows) + "\n\n" + interference_line(self.results["interference"])
        with open(os.path.join(out, "results.md"), "w") as f:
            f.write(markdown(self.results, rows))
        with open(os.path.join(out, "logs", "wrk-output.txt"), "w") as f:
            f.write("\n".join(self.text))
        for name in sorted(os.listdir(self.workdir)):
            if name.endswith(".log"):
                bench.copy_tail(os.path.join(self.workdir, name), os.path.join(out, "logs", name))
        return out, text


# ---------------------------------------------------------------------------------- helpers

def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out waiting for %s" % what)
        time.sleep(0.2)


def get(port, path):
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    conn.request("GET", path)
    response = conn.getresponse()
    size = len(response.read())
    conn.close()
    return response.status, size


def wrk_rate(result, measure):
    if result.get("failed"):
        return -1.0
    per = result["bytes"] if measure == "blob" else result["requests"]
    return per / (result["duration_us"] / 1e6)


def wrk_errors(result):
    return sum(result[k] for k in result if k.startswith("errors_"))


def summarize(result, measure):
    if result.get("failed"):
        return "FAILED: %s" % (result.get("stderr") or "")[-300:]
    seconds = result["cpu"]["seconds"]
    cpu = result["cpu"]["cpu_seconds"]
    server = [k for k in cpu if k not in ("s3proxy", "bench (python)", "wrk",
                                          "other processes")][0]
    if measure == "redirect_307":
        text = "{:,.0f} 307s/s".format(result["value"])
    elif measure == "blob_follow":
        text = "%.2f GiB/s, %.1f downloads/s, %d redirects followed" % (
            result["value"] / GIB, result["requests_per_second"], result["redirects"])
    else:
        text = "%.2f GiB/s" % (result["value"] / GIB)
    served = result["bytes"]
    text += "; cores busy: server %.2f, s3proxy %.2f, clients %.2f, others %.2f" % (
        cpu[server] / seconds, cpu["s3proxy"] / seconds, cpu["wrk"] / seconds,
        cpu["other processes"] / seconds)
    text += "; store read %.0f MiB (%.2f× served)" % (
        result["store_bytes_read"] / MIB, result["store_bytes_read"] / served if served else 0)
    errors = result["errors"] if measure == "blob_follow" else wrk_errors(result)
    if errors:
        text += ", %d ERRORS" % errors
    if result["upstream"]["requests"]:
        text += ", %d upstream requests" % result["upstream"]["requests"]
    return text


def median_run(runs):
    ordered = sorted(runs, key=lambda r: r["value"])
    return ordered[(len(ordered) - 1) // 2]


ROWS = [
    ("blob", "local", "warm blob from the local tier (wrk)", "GiB/s"),
    ("blob", "stream", "warm blob streamed from the store (wrk)", "GiB/s"),
    ("blob_follow", "redirect", "blob by redirect, 307 followed (curl -L)", "GiB/s"),
    ("redirect_307", "redirect", "307 answers alone (wrk)", "req/s"),
]


def table_rows(results):
    rows = []
    measured = results.get("measured", {})
    counts = sorted({int(k.rsplit("_", 1)[1]) for k in measured})
    for connections in counts:
        for measure, server, label, unit in ROWS:
            runs = measured.get("%s_%d" % (measure, connections), {})
            if server not in runs:
                continue
            mine = median_run(runs[server])
            ref = median_run(runs["nginx"]) if "nginx" in runs else None
            failed = mine["value"] < 0 or (mine.get("errors") if measure == "blob_follow"
                                           else wrk_errors(mine))
            scale = GIB if unit == "GiB/s" else 1
            row = {"measure": "%s, %d client%s" % (label, connections,
                                                    "" if connections == 1 else "s"),
                   "unit": unit, "key": "%s_%d" % (measure, connections), "server": server,
                   "stevedore": "error" if failed else mine["value"] / scale,
                   "nginx": ref["value"] / scale if ref else None,
                   "ratio": (mine["value"] / ref["value"]) if ref and ref["value"] > 0 and not failed
                   else None,
                   # not for the 307s: their bodies are empty, the store's reads its HEADs'
                   "store_read_per_served": (mine["store_bytes_read"] / mine["bytes"]
                                             if mine.get("bytes") and measure != "redirect_307"
                                             else None),
                   "rounds": [r["value"] / scale for r in runs[server]]}
            if measure == "blob_follow":
                row["downloads_per_second"] = mine["requests_per_second"]
                row["nginx_downloads_per_second"] = ref["requests_per_second"] if ref else None
            rows.append(row)
    return rows


def interference(results):
    """Cores other processes used while this measured: the mean over every run, and the worst."""
    runs = [r for by in results.get("measured", {}).values() for rs in by.values() for r in rs]
    seconds = sum(r["cpu"]["seconds"] for r in runs)
    busy = sum(r["cpu"]["cpu_seconds"]["other processes"] for r in runs)
    worst = max([r["cpu"]["cpu_seconds"]["other processes"] / r["cpu"]["seconds"]
                 for r in runs if r["cpu"]["seconds"]] or [0.0])
    return {"mean_cores": busy / seconds if seconds else 0.0, "worst_cores": worst}


def interference_line(found):
    text = ("other processes used %.2f cores on average while this measured (worst run %.2f)"
            % (found["mean_cores"], found["worst_cores"]))
    if found["mean_cores"] >= 0.25:
        text += ": WARNING, these figures are not reliable; run again on a quiet machine"
    return text


def _fmt(value, unit):
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return "%.2f" % value if unit == "GiB/s" else "{:,.0f}".format(value)


def text_table(rows):
    header = "%-62s %-6s %10s %8s %7s %s" % ("measure", "unit", "Stevedore", "nginx", "ratio",
                                             "store bytes read ÷ served")
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append("%-62s %-6s %10s %8s %7s %s" % (
            r["measure"], r["unit"], _fmt(r["stevedore"], r["unit"]), _fmt(r["nginx"], r["unit"]),
            "%.3f×" % r["ratio"] if r["ratio"] is not None else "—",
            "%.2f" % r["store_read_per_served"] if r["store_read_per_served"] is not None
            else "—"))
    return "\n".join(lines)


def markdown(results, rows):
    o, m = results["options"], results["machine"]
    lines = ["# Stevedore with the shared store: warm blob throughput — %s" % results["started"],
             "", "| measure | unit | Stevedore | nginx | ratio | store bytes read ÷ served | "
             "rounds (Stevedore) |", "|---|---|--:|--:|--:|--:|--:|"]
    for r in rows:
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            r["measure"], r["unit"], _fmt(r["stevedore"], r["unit"]), _fmt(r["nginx"], r["unit"]),
            "%.3f×" % r["ratio"] if r["ratio"] is not None else "—",
            "%.2f" % r["store_read_per_served"] if r["store_read_per_served"] is not None
            else "—", ", ".join(_fmt(v, r["unit"]) for v in r["rounds"])))
    follow = [r for r in rows if r.get("downloads_per_second")]
    lines += ["", "Downloads/s by redirect (Stevedore's 307 then S3Proxy, curl -L) vs nginx "
              "(same curl client): " + "; ".join(
                  "%s: %.1f vs %.1f" % (r["key"], r["downloads_per_second"],
                                        r["nginx_downloads_per_second"] or 0) for r in follow),
              "", "## Setup", "",
              "- machine: %s CPUs (%s), %s GiB, Linux %s; %s; %s; %s" % (
                  m["cpus"], m["cpu"], m["memory_gib"], m["kernel"], m.get("nginx"),
                  m.get("wrk"), m.get("curl")),
              "- Stevedore at %s, `java %s`, log level %s; S3Proxy `%s` (filesystem provider) "
              "on loopback; three Stevedores on one bucket" % (
                  m.get("repository_commit"), o["java_opts"], o["stevedore_log_level"],
                  os.path.basename(o["s3proxy_jar"])),
              "- runs of %s (wrk: after %s unmeasured), %d round(s) in rotation, the median "
              "reported; clients %s" % (o["duration"], o["warmup"], o["rounds"],
                                        o["connections"]),
              "- " + interference_line(results["interference"]),
              "", "See bench/perf/README.md, section \"The shared store\", for what each row "
              "measures.", ""]
    return "\n".join(lines)


def main(argv):
    args = parse_args(argv)

    def terminate(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    run = StoreBench(args)
    started = time.monotonic()
    failed = None
    try:
        run.run()
    except (Exception, KeyboardInterrupt) as error:  # noqa: BLE001 -- report what we have
        failed = error
        log("RUN FAILED: %s: %s" % (type(error).__name__, error))
    finally:
        run.stop_all()
    if not run.results.get("measured"):
        return 1
    out, table = run.write()
    print()
    print(table)
    print()
    print("run took %.0f s; results: %s/{results.md,results.json,logs/}"
          % (time.monotonic() - started, os.path.relpath(out)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
