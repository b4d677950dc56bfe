#!/usr/bin/env python3
"""A cold wave of pull clients through one cache and through replicas of one (issue 16).

Normally started by bench/perf/cluster.sh, which checks the tools, builds the jar and fetches
S3Proxy. See the section "Replicas of one cache" of README.md. In one run, each setup fresh and
in front of the same counted upstream (docker-registry with token auth behind the uplink relay):

- stevedore-1:    one Stevedore with --store (S3Proxy), a fresh bucket prefix and data directory;
- stevedore-3:    three Stevedores as one cluster (same bucket prefix, same --cluster-secret-file,
                  a data directory each), the clients spread round-robin over them;
- distribution-2: two CNCF distribution processes in proxy mode on one filesystem root directory,
                  the clients spread round-robin over both.

Per setup: the wall time of the wave (all clients released at once), the bytes that came down the
uplink (÷ the image's size), and the manifest GETs, HEADs, blob GETs and token requests that went
up it.
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import shutil
import signal
import sys
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
BUCKET = "bench"
IDENTITY, CREDENTIAL = "bench", "bench-secret-key"
# 32 bytes or more, the same file for every replica of a cluster.
CLUSTER_SECRET = "stevedore-cluster-bench-secret-0123456789abcdef\n"
log = bench.log

SETUPS = [
    # key, label, server kind, processes
    ("stevedore-1", "Stevedore, 1 replica (--store)", "stevedore", 1),
    ("stevedore-3", "Stevedore, 3 replicas, one cluster", "stevedore", 3),
    ("distribution-2", "distribution (proxy), 2 processes, one filesystem root",
     "distribution", 2),
]


def parse_args(argv):
    p = argparse.ArgumentParser(prog="bench/perf/cluster.sh", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, default=20, help="pull clients in the wave (20)")
    p.add_argument("--parallel", type=int, default=3, help="blobs at a time per client (3)")
    p.add_argument("--rounds", type=int, default=3,
                   help="cold waves per setup, each through fresh processes, a fresh bucket "
                        "prefix and fresh directories, setups in rotation; the round with the "
                        "median wall time is reported, every round is in results.md (3)")
    p.add_argument("--big-mib", type=int, default=4,
                   help="size of the image's big layer, MiB (4: an image of about 41 MiB)")
    p.add_argument("--uplink-mibps", type=float, default=0,
                   help="rate of the simulated uplink during the waves, MiB/s (0: unlimited)")
    p.add_argument("--no-process-warmup", action="store_true",
                   help="do not pull another image through each fresh setup before its wave "
                        "(then JVM warm-up counts in Stevedore's wall times)")
    p.add_argument("--only", default=",".join(s[0] for s in SETUPS),
                   help="setups to run, comma-separated (all: %(default)s)")
    p.add_argument("--jar", default=os.path.join(REPO, "proxy-server/target/stevedore.jar"))
    p.add_argument("--test-classes", default=os.path.join(REPO, "proxy-server/target/test-classes"),
                   help="proxy-server's compiled test classes (the upstream's token service)")
    p.add_argument("--s3proxy-jar", required=True,
                   help="org.gaul:s3proxy's jar-with-dependencies (cluster.sh fetches it)")
    p.add_argument("--java", default=shutil.which("java") or "java")
    p.add_argument("--java-opts", default="-Xmx256m",
                   help="each replica's JVM options (-Xmx256m: three replicas, S3Proxy and the "
                        "token service share the machine)")
    p.add_argument("--stevedore-log-level", default="WARN")
    p.add_argument("--registry", default="/usr/bin/docker-registry")
    p.add_argument("--workdir", required=True, help="scratch directory")
    p.add_argument("--results", default=os.path.join(HERE, "results"),
                   help="parent of the result directory <date>-<time>-cluster-<commit>")
    return p.parse_args(argv)


class ClusterBench:
    def __init__(self, args):
        self.args = args
        self.workdir = args.workdir
        self.procs = []
        self.uplink = None
        self.token_relay = None
        self.results = {}

    # ------------------------------------------------------------------ process bookkeeping

    def _track(self, proc):
        self.procs.append(proc)
        with open(os.path.join(self.workdir, "pids"), "a") as pids:
            pids.write("%d\n" % proc.pid)
        log("  started %s (pid %d)" % (proc.name, proc.pid))
        return proc

    def _stop(self, proc):
        proc.stop()
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self):
        for proc in reversed(list(self.procs)):
            try:
                proc.stop()
            except Exception as error:  # noqa: BLE001
                log("  could not stop %s (pid %d): %s" % (proc.name, proc.pid, error))
        self.procs.clear()
        for relay in (self.token_relay, self.uplink):
            if relay:
                relay.close()

    def _start_all(self, starters):
        """Starts the processes of one setup at once (each waits until it answers); if one
        fails, the others are stopped too."""
        with concurrent.futures.ThreadPoolExecutor(len(starters)) as pool:
            futures = [pool.submit(start) for start in starters]
            started, failed = [], None
            for future in futures:
                try:
                    started.append(self._track(future.result()))
                except Exception as error:  # noqa: BLE001
                    failed = failed or error
        if failed:
            for proc in started:
                self._stop(proc)
            raise failed
        return started

    def _stevedores(self, key, count):
        """`count` replicas on a fresh bucket prefix; with more than one, one cluster."""
        a = self.args
        store = ["--store", "s3://%s/%s" % (BUCKET, key),
                 "--s3-endpoint", "http://%s:%d" % (HOST, self.s3_port),
                 "--s3-region", "us-east-1"]
        if count > 1:
            store += ["--cluster-secret-file", self.secret_file]
        env = {"AWS_ACCESS_KEY_ID": IDENTITY, "AWS_SECRET_ACCESS_KEY": CREDENTIAL,
               "AWS_EC2_METADATA_DISABLED": "true"}
        ports = [servers.free_port() for _ in range(count)]

        def starter(i):
            name = "%s-r%d" % (key, i + 1)
            return lambda: servers.start_stevedore(
                # S3Proxy checks conditional writes non-atomically: let a won lease settle
                name, a.java, self.jar,
                a.java_opts.split() + ["-Dstevedore.cluster.lease-settle=200ms"],
                self.workdir, ports[i],
                os.path.join(self.workdir, name), "http://%s:%d" % (HOST, self.uplink.port),
                a.stevedore_log_level, store, env)

        return ports, self._start_all([starter(i) for i in range(count)])

    def _distributions(self, key, count):
        """`count` distribution processes in proxy mode on one filesystem root directory."""
        root = os.path.join(self.workdir, key + "-root")
        ports = [servers.free_port() for _ in range(count)]

        def starter(i):
            name = "%s-p%d" % (key, i + 1)
            return lambda: servers.start_registry(
                name, self.args.registry, self.workdir, ports[i], root,
                remote_url="http://%s:%d" % (HOST, self.uplink.port))

        return ports, self._start_all([starter(i) for i in range(count)])

    # ------------------------------------------------------------------------------- the run

    def run(self):
        a = self.args
        self.results = {
            "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": runinfo.machine_info(a.java, {"docker_registry": [a.registry,
                                                                         "--version"]}),
            "options": {k: v for k, v in vars(a).items() if k != "workdir"},
            "setups": {},
        }
        # Run copies: other work on the machine may rebuild the jar under a running JVM.
        self.jar = os.path.join(self.workdir, "stevedore.jar")
        shutil.copy2(a.jar, self.jar)
        test_classes = os.path.join(self.workdir, "test-classes")
        shutil.copytree(a.test_classes, test_classes)
        self.secret_file = os.path.join(self.workdir, "cluster-secret")
        with open(self.secret_file, "w") as out:
            out.write(CLUSTER_SECRET)
        os.chmod(self.secret_file, 0o600)

        log("S3Proxy (filesystem provider); upstream: token service and docker-registry with "
            "token auth, behind the counting uplink relay")
        self.s3_port = servers.free_port()
        self.s3proxy = self._track(servers.start_s3proxy(
            a.java, a.s3proxy_jar, self.workdir, self.s3_port, BUCKET, IDENTITY, CREDENTIAL))
        token_service, auth = servers.start_token_service(
            a.java, "%s:%s" % (test_classes, self.jar), self.workdir)
        self._track(token_service)
        token_port = int(auth["realm"].rsplit(":", 1)[1].split("/", 1)[0])
        upstream_port = servers.free_port()
        self.uplink = uplinks.Uplink(HOST, HOST, upstream_port)
        self.token_relay = uplinks.Uplink(HOST, HOST, token_port, link=self.uplink.link,
                                          counts=self.uplink.counts)
        realm = dict(auth, realm="http://%s:%d/token" % (HOST, self.token_relay.port))
        upstream = self._track(servers.start_registry(
            "upstream", a.registry, self.workdir, upstream_port,
            os.path.join(self.workdir, "upstream"), auth=realm))
        self.upstream_cpu = servers.Group(upstream, token_service)
        self.image = images.BenchImage("library/bench", "v1", big_mib=a.big_mib)
        log("pushing %s:%s (%s)" % (self.image.repository, self.image.tag,
                                    bench.describe_image(self.image)))
        images.push(HOST, upstream_port, self.image, auth)
        self.results["image"] = self.image.summary()
        self.warmup_image = images.BenchImage("library/warmup", "v1", big_mib=1, seed=9)
        if not a.no_process_warmup:
            images.push(HOST, upstream_port, self.warmup_image, auth)
        wanted = [k.strip() for k in a.only.split(",") if k.strip()]
        for round_no in range(a.rounds):
            for key, label, kind, count in SETUPS:
                if key in wanted:
                    entry = self.results["setups"].setdefault(
                        key, {"label": label, "kind": kind, "processes": count, "rounds": []})
                    entry["rounds"].append(self.setup(key, label, kind, count, round_no))
        self.results["finished"] = datetime.datetime.now().astimezone().isoformat(
            timespec="seconds")
        self.results["machine"]["loadavg_after"] = os.getloadavg()

    def setup(self, key, label, kind, count, round_no):
        """Fresh processes of one setup, an unmeasured warm-up wave of another image, the
        measured cold wave, then the processes stopped."""
        a = self.args
        log("%s, round %d: starting %d process(es)" % (label, round_no + 1, count))
        started = time.monotonic()
        fresh = "%s-round%d" % (key, round_no + 1)
        ports, procs = (self._stevedores(fresh, count) if kind == "stevedore"
                        else self._distributions(fresh, count))
        start_seconds = time.monotonic() - started
        try:
            warm = None
            if not a.no_process_warmup:
                warm = puller.wave(HOST, ports, self.warmup_image.repository,
                                   self.warmup_image.tag, a.clients, a.parallel)
                # A failed warm-up pull is a finding, not the end of the run: it is recorded
                # with the round and shown in results.md.
                if warm["failures"]:
                    log("  %s round %d: %d warm-up pull(s) FAILED: %s"
                        % (key, round_no + 1, warm["failures"], warm["errors"][:2]))
                self.uplink.counts.settle(quiet=0.5)
            self.uplink.link.set_rate(a.uplink_mibps * MIB)
            self.uplink.counts.reset()
            watched = {"servers": servers.Group(*procs), "upstream": self.upstream_cpu}
            if kind == "stevedore":
                watched["s3proxy"] = self.s3proxy
            meter = bench.CpuMeter(watched).start()
            result = puller.wave(HOST, ports, self.image.repository, self.image.tag,
                                 a.clients, a.parallel)
            result["cpu"] = meter.stop()
            result["upstream_at_end"] = self.uplink.counts.snapshot()
            # distribution stores what it proxied in the background: count it too
            self.uplink.counts.settle()
            result["upstream"] = self.uplink.counts.snapshot()
            self.uplink.link.set_rate(0)
            for proc in procs:
                if proc.poll() is not None:
                    raise RuntimeError("%s died during the wave (log %s)"
                                       % (proc.name, proc.log_path))
            result.update({"round": round_no + 1, "start_seconds": start_seconds,
                           "warmup_failures": warm["failures"] if warm else 0,
                           "warmup_errors": warm["errors"] if warm else [],
                           "peak_rss_bytes": [p.peak_rss_bytes() for p in procs]})
            log("  %-15s round %d: %s" % (key, round_no + 1,
                                           summarize(result, self.results["image"])))
            return result
        finally:
            for proc in procs:
                self._stop(proc)

    # ------------------------------------------------------------------------------ output

    def write(self):
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        out = os.path.join(self.args.results, "%s-cluster-%s" % (stamp, runinfo.commit()))
        os.makedirs(os.path.join(out, "logs"), exist_ok=True)
        rows = table_rows(self.results)
        self.results["table"] = rows
        with open(os.path.join(out, "results.json"), "w") as f:
            json.dump(self.results, f, indent=1, default=str)
        with open(os.path.join(out, "results.md"), "w") as f:
            f.write(markdown(self.results, rows))
        for name in sorted(os.listdir(self.workdir)):
            if name.endswith(".log"):
                bench.copy_tail(os.path.join(self.workdir, name), os.path.join(out, "logs", name))
        text = text_table(rows) + "\n\n" + interference_line(self.results)
        text += "".join("\n%s: %d warm-up pull(s) failed over all rounds (see results.md)"
                        % (r["setup"], r["warmup_failures"]) for r in rows
                        if r["warmup_failures"])
        return out, text


# ---------------------------------------------------------------------------------- helpers

def summarize(result, img):
    up = result["upstream"]
    cpu = result["cpu"]["cpu_seconds"]
    text = ("%.2f s (clients %.2f/%.2f/%.2f), upstream %.1f MiB (%.2f× the image), manifest "
            "GET %d / HEAD %d, blob GET %d, token %d; CPU s: servers %.1f%s, upstream %.1f, "
            "clients+relay %.1f, others %.1f" % (
                result["wall_seconds"], result["client_seconds_min"],
                result["client_seconds_median"], result["client_seconds_max"],
                up["bytes_down"] / MIB, up["bytes_down"] / img["total_bytes"],
                up["manifest_gets"], up["manifest_heads"], up["blob_gets"], up["token_gets"],
                cpu["servers"], ", s3proxy %.1f" % cpu["s3proxy"] if "s3proxy" in cpu else "",
                cpu["upstream"], cpu["bench (python)"], cpu["other processes"]))
    if result["failures"]:
        text += ", %d FAILED: %s" % (result["failures"], result["errors"][:2])
    return text


def median_round(rounds):
    """The round with the median wall time (the lower middle one of an even count)."""
    ordered = sorted(rounds, key=lambda r: r["wall_seconds"])
    return ordered[(len(ordered) - 1) // 2]


def table_rows(results):
    total = results["image"]["total_bytes"]
    rows = []
    for key, setup in results["setups"].items():
        r = median_round(setup["rounds"])
        up, cpu = r["upstream"], r["cpu"]
        rows.append({
            "setup": key, "label": setup["label"], "processes": setup["processes"],
            "clients": r["clients"], "round": r["round"],
            "wall_rounds": [round(x["wall_seconds"], 3) for x in setup["rounds"]],
            "upstream_per_image_rounds": [round(x["upstream"]["bytes_down"] / total, 3)
                                          for x in setup["rounds"]],
            "manifest_gets_rounds": [x["upstream"]["manifest_gets"] for x in setup["rounds"]], "wall_seconds": round(r["wall_seconds"], 3),
            "client_seconds_median": round(r["client_seconds_median"], 3),
            "client_seconds_max": round(r["client_seconds_max"], 3),
            "upstream_bytes": up["bytes_down"],
            "upstream_per_image": round(up["bytes_down"] / total, 3),
            "manifest_gets": up["manifest_gets"], "manifest_heads": up["manifest_heads"],
            "blob_gets": up["blob_gets"], "token_gets": up["token_gets"],
            # over every round: a failed pull in any of them is a finding
            "failures": sum(x["failures"] for x in setup["rounds"]),
            "warmup_failures": sum(x.get("warmup_failures", 0) for x in setup["rounds"]),
            "server_cpu_seconds": cpu["cpu_seconds"]["servers"],
            "other_cores": round(cpu["cpu_seconds"]["other processes"] / cpu["seconds"], 2)
            if cpu["seconds"] else 0.0,
        })
    return rows


COLUMNS = [("setup", "%-15s", "setup"), ("wall", "%7s", "wall s"),
           ("median", "%8s", "client median/max s"), ("mib", "%9s", "upstream MiB"),
           ("ratio", "%7s", "÷ image"), ("mget", "%5s", "manifest GET"),
           ("mhead", "%5s", "manifest HEAD"), ("bget", "%5s", "blob GET"),
           ("token", "%5s", "token"), ("cpu", "%6s", "server CPU s"), ("fail", "%4s", "failed (all rounds)")]


def _cells(row):
    return {"setup": row["setup"], "wall": "%.2f" % row["wall_seconds"],
            "median": "%.2f / %.2f" % (row["client_seconds_median"], row["client_seconds_max"]),
            "mib": "%.1f" % (row["upstream_bytes"] / MIB),
            "ratio": "%.2f×" % row["upstream_per_image"], "mget": str(row["manifest_gets"]),
            "mhead": str(row["manifest_heads"]), "bget": str(row["blob_gets"]),
            "token": str(row["token_gets"]), "cpu": "%.1f" % row["server_cpu_seconds"],
            "fail": str(row["failures"])}


def text_table(rows):
    header = "%-15s %7s %19s %12s %8s %12s %13s %8s %5s %12s %19s" % tuple(
        title for _, _, title in COLUMNS)
    lines = [header, "-" * len(header)]
    for row in rows:
        c = _cells(row)
        lines.append("%-15s %7s %19s %12s %8s %12s %13s %8s %5s %12s %19s" % tuple(
            c[key] for key, _, _ in COLUMNS))
    return "\n".join(lines)


def interference_line(results):
    every = [r for setup in results["setups"].values() for r in setup["rounds"]]
    seconds = sum(r["cpu"]["seconds"] for r in every)
    busy = sum(r["cpu"]["cpu_seconds"]["other processes"] for r in every)
    mean = busy / seconds if seconds else 0.0
    text = ("other processes used %.2f cores on average during the waves (per setup: %s)" % (
        mean, ", ".join("%s %.2f" % (k, sum(r["cpu"]["cpu_seconds"]["other processes"]
                                            for r in setup["rounds"])
                                     / sum(r["cpu"]["seconds"] for r in setup["rounds"]))
                        for k, setup in results["setups"].items())))
    if mean >= 0.25:
        text += ": WARNING, wall times are not reliable; run again on a quiet machine"
    return text


def markdown(results, rows):
    o, m, img = results["options"], results["machine"], results["image"]
    lines = ["# A cold wave through one cache and through replicas of one — %s"
             % results["started"], "",
             "| setup | processes | clients | wall s (every round) | client median / max s | upstream MiB | "
             "÷ image | manifest GET / HEAD | blob GET | token | server CPU s | failed pulls (all "
             "rounds) |",
             "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for r in rows:
        c = _cells(r)
        lines.append("| %s | %d | %d | %s | %s | %s | %s | %s / %s | %s | %s | %s | %s |" % (
            r["label"], r["processes"], r["clients"],
            "%s (%s)" % (c["wall"], ", ".join("%.2f" % w for w in r["wall_rounds"])),
            c["median"], c["mib"],
            c["ratio"], c["mget"], c["mhead"], c["bget"], c["token"], c["cpu"], c["fail"]))
    lines += ["", "The round with the median wall time is reported (of %d, in rotation). "
              "Every round:" % o["rounds"], "",
              "| setup | round | wall s | client min / median / max s | upstream MiB (at the "
              "wave's end → settled) | ÷ image | manifest GET / HEAD | blob GET | token | CPU s: "
              "servers / S3Proxy / upstream / clients+relay / other processes | failed |",
              "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for key, setup in results["setups"].items():
        for r in setup["rounds"]:
            up, end, cpu = r["upstream"], r["upstream_at_end"], r["cpu"]["cpu_seconds"]
            lines.append("| %s | %d | %.2f | %.2f / %.2f / %.2f | %.1f → %.1f | %.2f× | %d / %d "
                         "| %d | %d | %.1f / %s / %.1f / %.1f / %.1f | %d |" % (
                             key, r["round"], r["wall_seconds"], r["client_seconds_min"],
                             r["client_seconds_median"], r["client_seconds_max"],
                             end["bytes_down"] / MIB, up["bytes_down"] / MIB,
                             up["bytes_down"] / img["total_bytes"], up["manifest_gets"],
                             up["manifest_heads"], up["blob_gets"], up["token_gets"],
                             cpu["servers"], "%.1f" % cpu["s3proxy"] if "s3proxy" in cpu
                             else "—", cpu["upstream"], cpu["bench (python)"],
                             cpu["other processes"], r["failures"]))
            for error in r.get("errors", []):
                lines.append("|  |  | error: %s | | | | | | | | |" % error.replace("|", "/"))
            if r.get("warmup_failures"):
                lines.append("|  |  | %d warm-up pull(s) failed: %s | | | | | | | | |" % (
                    r["warmup_failures"],
                    "; ".join(r["warmup_errors"][:2]).replace("|", "/")))
    lines += ["", "## Setup", "",
              "- machine: %s CPUs (%s), %s GiB, Linux %s; load average before %s, after %s" % (
                  m["cpus"], m["cpu"], m["memory_gib"], m["kernel"],
                  "/".join("%.2f" % x for x in m["loadavg_before"]),
                  "/".join("%.2f" % x for x in m.get("loadavg_after", []))),
              "- Stevedore at %s, `java %s`, log level %s; %s; S3Proxy `%s` (filesystem "
              "provider) on loopback; %s" % (
                  m.get("repository_commit"), o["java_opts"], o["stevedore_log_level"],
                  m.get("java"), os.path.basename(o["s3proxy_jar"]), m.get("docker_registry")),
              "- image `%s:%s`: %d blobs + %d manifests = %.1f MiB (big layer %d MiB)" % (
                  img["repository"], img["tag"], img["blobs"], img["manifests"],
                  img["total_bytes"] / MIB, img["big_layer_bytes"] // MIB),
              "- %d pull clients released at once, %d blobs at a time each, round-robin over the "
              "setup's processes; uplink %s; %s" % (
                  o["clients"], o["parallel"],
                  "%g MiB/s" % o["uplink_mibps"] if o["uplink_mibps"] else "unlimited",
                  "no warm-up wave" if o["no_process_warmup"] else
                  "before each measured wave, an unmeasured wave of another image "
                  "(`library/warmup:v1`) through the same fresh processes"),
              "- upstream: docker-registry with token auth behind the counting uplink relay; "
              "upstream MiB are the bytes that came down it (blobs, manifests, tokens), counted "
              "until it had been quiet for 1 s after the wave",
              "- " + interference_line(results),
              "", "See bench/perf/README.md, section \"Replicas of one cache\", for what each "
              "row measures.", ""]
    return "\n".join(lines)


def render(out):
    """Writes results.md of a run directory again from its results.json (after a change of the
    report, without a new run). Returns the text table."""
    with open(os.path.join(out, "results.json")) as f:
        results = json.load(f)
    rows = table_rows(results)
    results["table"] = rows
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=1, default=str)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(markdown(results, rows))
    return text_table(rows) + "\n\n" + interference_line(results)


def main(argv):
    if argv[:1] == ["--render"]:
        print(render(argv[1]))
        return 0
    args = parse_args(argv)

    def terminate(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    run = ClusterBench(args)
    started = time.monotonic()
    failed = None
    try:
        run.run()
    except (Exception, KeyboardInterrupt) as error:  # noqa: BLE001 -- report what we have
        failed = error
        log("RUN FAILED: %s: %s" % (type(error).__name__, error))
    finally:
        run.stop_all()
    if not any(s["rounds"] for s in run.results.get("setups", {}).values()):
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
