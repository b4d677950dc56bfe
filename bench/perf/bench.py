#!/usr/bin/env python3
"""Stevedore's performance benchmark (issue 8), side by side with nginx and CNCF distribution.

Normally started by bench/perf/run.sh, which checks the tools and builds the jar. See README.md.
"""

import argparse
import datetime
import http.client
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))

import image as images  # noqa: E402 -- after the path to bench/lib
import puller  # noqa: E402
import report  # noqa: E402
import runinfo  # noqa: E402
import servers  # noqa: E402
import uplink as uplinks  # noqa: E402

HOST = servers.HOST
MIB = 1024 * 1024


def parse_args(argv):
    p = argparse.ArgumentParser(prog="bench/perf/run.sh", description=__doc__)
    p.add_argument("--duration", default="10s", help="length of each measured wrk run (10s)")
    p.add_argument("--warmup", default="3s",
                   help="unmeasured wrk run before each measured one (3s; 0 to skip)")
    p.add_argument("--rounds", type=int, default=3,
                   help="measured wrk runs per server and measure, in rotation (3: an odd "
                        "count, so that the reported median is a measured run)")
    p.add_argument("--pick", choices=["median", "quietest"], default="median",
                   help="which of the rounds is reported: the median (default; the lower "
                        "middle one of an even count), or the one during which other processes "
                        "used the least CPU (quietest; labelled as such in the output)")
    p.add_argument("--cold-rounds", type=int, default=3,
                   help="fresh-cache pulls per server, link and client count, in rotation; "
                        "the median is reported with min and max (3)")
    p.add_argument("--jit-warmup", default="20s",
                   help="manifest load on Stevedore before the warm measurements, so that they "
                        "see a JVM in steady state, as a long-running cache is (20s; 0 skips)")
    p.add_argument("--clients", type=int, default=20, help="pull clients in the cold wave (20)")
    p.add_argument("--parallel", type=int, default=3, help="blobs at a time per client (3)")
    p.add_argument("--uplink-mibps", type=float, default=25,
                   help="rate of the simulated uplink for the second cold wave, MiB/s "
                        "(25, about 210 Mbit/s; 0 skips that wave)")
    p.add_argument("--no-process-warmup", action="store_true",
                   help="do not pull a different image with --clients clients through each "
                        "fresh server before its cold measurement (then the JVM's JIT warm-up "
                        "counts in the cold times)")
    p.add_argument("--big-mib", type=int, default=64, help="size of the big layer (64)")
    p.add_argument("--jar", default=os.path.join(REPO, "proxy-server/target/stevedore.jar"))
    p.add_argument("--test-classes", default=os.path.join(REPO, "proxy-server/target/test-classes"),
                   help="proxy-server's compiled test classes: the upstream's token service "
                        "(dev.stevedore.server.bench.TokenService) runs from them")
    p.add_argument("--java", default=shutil.which("java") or "java")
    p.add_argument("--java-opts", default="",
                   help="JVM options for Stevedore after the shipped ones (as "
                        "STEVEDORE_JAVA_OPTS; none by default: the shipped settings are measured)")
    p.add_argument("--plain-java", action="store_true",
                   help="start Stevedore as `java --java-opts -jar stevedore.jar` instead of "
                        "through the launcher with the shipped settings (deploy/jvm/jvm.options)")
    p.add_argument("--start-rounds", type=int, default=5,
                   help="fresh starts of each server for the ready time and idle RSS, in "
                        "rotation (5; 0 skips)")
    p.add_argument("--idle-settle", type=float, default=5.0,
                   help="seconds after a server is ready before its idle RSS is read (5)")
    p.add_argument("--stevedore-log-level", default="WARN",
                   help="STEVEDORE_LOG_LEVEL; WARN turns its per-request access log off, as "
                        "nginx's and distribution's are (INFO = Stevedore's default)")
    p.add_argument("--pin", action="store_true",
                   help="warm measurements with each server's threads on CPU 0 and wrk on CPU 1 "
                        "(taskset): the load generator takes no time from the server, as clients "
                        "on other machines would, and the scheduler's placement no longer moves "
                        "the figures between runs (needs 2 or more CPUs)")
    p.add_argument("--jfr", action="store_true",
                   help="record a Java Flight Recording (profile settings) of the Stevedore "
                        "used for the warm measurements, into the result directory")
    p.add_argument("--registry", default="/usr/bin/docker-registry")
    p.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    p.add_argument("--wrk", default=shutil.which("wrk") or "wrk")
    p.add_argument("--workdir", help="scratch directory (default: a new temp dir)")
    p.add_argument("--results", default=os.path.join(HERE, "results"),
                   help="parent of the per-run result directory <date>-<time>-<commit> "
                        "(bench/perf/results)")
    p.add_argument("--skip", action="append", default=[],
                   choices=["start", "warm", "cold", "manifest-tag"],
                   help="skip a part (repeatable)")
    return p.parse_args(argv)


class Bench:
    def __init__(self, args):
        self.args = args
        self.workdir = args.workdir
        self.procs = []
        self.results = {}
        self.image = None
        self.uplink = None
        self.upstream = None
        self.upstream_cpu = None
        self.jfr_file = None
        self.rss = {}
        self.wrk_text = []

    # ------------------------------------------------------------------ process bookkeeping

    def _track(self, proc):
        self.procs.append(proc)
        with open(os.path.join(self.workdir, "pids"), "a") as pids:
            pids.write("%d\n" % proc.pid)
        log("  started %s (pid %d)" % (proc.name, proc.pid))
        return proc

    def _stop(self, proc, rss_key=None, phase=None):
        if rss_key:
            peak = proc.peak_rss_bytes()
            slot = self.rss.setdefault(rss_key, {})
            slot[phase] = max(slot.get(phase, 0), peak)
        proc.stop()
        if proc in self.procs:
            self.procs.remove(proc)
        if proc.returncode not in (0, -signal.SIGTERM, 143, None) and rss_key:
            log("  note: %s exited with %s (log %s)" % (proc.name, proc.returncode, proc.log_path))

    def stop_all(self):
        for proc in reversed(list(self.procs)):
            try:
                proc.stop()
            except Exception as error:  # noqa: BLE001
                log("  could not stop %s (pid %d): %s" % (proc.name, proc.pid, error))
        self.procs.clear()
        for relay in (getattr(self, "token_relay", None), self.uplink):
            if relay:
                relay.close()

    def _stevedore(self, name, port, extra_java_opts=()):
        data = os.path.join(self.workdir, name)
        return self._track(servers.start_stevedore(
            name, self.args.java, self.jar,
            self.args.java_opts.split() + list(extra_java_opts), self.workdir, port,
            data, "http://%s:%d" % (HOST, self.uplink.port), self.args.stevedore_log_level,
            launcher=self.launcher))

    def _distribution(self, name, port):
        return self._track(servers.start_registry(
            name, self.args.registry, self.workdir, port, os.path.join(self.workdir, name),
            remote_url="http://%s:%d" % (HOST, self.uplink.port)))

    # ------------------------------------------------------------------------------- the run

    def run(self):
        a = self.args
        self.results = {
            "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": machine_info(a),
            "options": {k: v for k, v in vars(a).items() if k not in ("workdir",)},
        }
        # Run copies: other work on the machine may rebuild the jar under a running JVM.
        jar_copy = os.path.join(self.workdir, "stevedore.jar")
        shutil.copy2(a.jar, jar_copy)
        self.jar = jar_copy
        self.launcher = None
        if not a.plain_java:
            self.launcher = servers.shipped_launcher(REPO, a.jar, os.path.join(self.workdir, "dist"))
            self.results["launcher"] = prepare_launcher(self.launcher, a.java)
        test_classes = os.path.join(self.workdir, "test-classes")
        shutil.copytree(a.test_classes, test_classes)
        log("upstream: token service, and docker-registry with token auth and filesystem storage")
        token_service, auth = servers.start_token_service(
            a.java, "%s:%s" % (test_classes, jar_copy), self.workdir)
        self._track(token_service)
        # The registry names a realm behind a relay of its own that shares the uplink's rate and
        # counters: token requests cross the same "Internet" as the registry's answers.
        token_port = int(auth["realm"].rsplit(":", 1)[1].split("/", 1)[0])
        upstream_port = servers.free_port()
        self.uplink = uplinks.Uplink(HOST, HOST, upstream_port)
        self.token_relay = uplinks.Uplink(HOST, HOST, token_port, link=self.uplink.link,
                                          counts=self.uplink.counts)
        realm = dict(auth, realm="http://%s:%d/token" % (HOST, self.token_relay.port))
        self.upstream = self._track(servers.start_registry(
            "upstream", a.registry, self.workdir, upstream_port,
            os.path.join(self.workdir, "upstream"), auth=realm))
        self.upstream_cpu = servers.Group(self.upstream, token_service)
        self.image = images.BenchImage("library/bench", "v1", big_mib=a.big_mib)
        log("pushing %s:%s (%s)" % (self.image.repository, self.image.tag,
                                    describe_image(self.image)))
        images.push(HOST, upstream_port, self.image, auth)
        self.results["image"] = self.image.summary()
        # A different image of the same shape, pulled through each fresh server before a cold
        # measurement: the cache stays cold for the bench image, the JIT and the page cache
        # do not (a real cache has been up for a while).
        self.warmup_image = images.BenchImage("library/warmup", "v1", big_mib=16, seed=9)
        images.push(HOST, upstream_port, self.warmup_image, auth)
        log("uplink relay (counts upstream bytes and requests) on port %d, token relay on %d"
            % (self.uplink.port, self.token_relay.port))
        if "start" not in a.skip and a.start_rounds > 0:
            self.start_measurements()
        if "warm" not in a.skip:
            self.warm_measurements()
        if "cold" not in a.skip:
            self.cold_measurements()
        self.results["rss"] = self.rss
        self.results["finished"] = datetime.datetime.now().astimezone().isoformat(
            timespec="seconds")
        self.results["machine"]["loadavg_after"] = os.getloadavg()

    def start_measurements(self):
        """Each server started afresh --start-rounds times, in rotation: the time from its start
        to its first answer (Stevedore and distribution: 200 on /v2/; nginx: its file), and its
        RSS --idle-settle seconds later, before any request but that one."""
        a = self.args
        start = self.results.setdefault("start", {})
        log("start: %d fresh starts of each server; ready = first answer, idle RSS %gs later"
            % (a.start_rounds, a.idle_settle))
        for round_no in range(a.start_rounds):
            for server in ("stevedore", "distribution", "nginx"):
                port = servers.free_port()
                name = "%s-start-%d" % (server, round_no + 1)
                if server == "stevedore":
                    proc = self._stevedore(name, port)
                elif server == "distribution":
                    proc = self._distribution(name, port)
                else:
                    proc = self._track(servers.start_nginx(
                        a.nginx, self.workdir, port, {"ping": b"ok\n"}))
                time.sleep(a.idle_settle)
                sample = {"ready_seconds": proc.ready_seconds, "idle_rss_bytes": proc.rss_bytes()}
                self._stop(proc)
                start.setdefault(server, []).append(sample)
                log("  %-13s round %d: ready %.3f s, idle RSS %.1f MiB"
                    % (server, round_no + 1, sample["ready_seconds"],
                       sample["idle_rss_bytes"] / MIB))

    def warm_measurements(self):
        a, img = self.args, self.image
        log("warm: starting Stevedore, distribution (proxy mode) and nginx")
        jfr_opts = []
        if a.jfr:
            self.jfr_file = os.path.join(self.workdir, "stevedore-warm.jfr")
            jfr_opts = ["-XX:StartFlightRecording=settings=profile,filename=%s"
                        % self.jfr_file]
        ports = {"stevedore": servers.free_port(), "nginx": servers.free_port(),
                 "distribution": servers.free_port()}
        procs = {
            "stevedore": self._stevedore("stevedore-warm", ports["stevedore"], jfr_opts),
            "distribution": self._distribution("distribution-warm", ports["distribution"]),
            "nginx": self._track(servers.start_nginx(
                a.nginx, self.workdir, ports["nginx"],
                {"blob": img.big_layer.data, "manifest": img.platforms[0].manifest})),
        }
        if a.pin:
            for proc in procs.values():
                pin_tree(proc.pid, SERVER_CPU)
            log("pinned: every server's threads on CPU %s, wrk on CPU %s" % (SERVER_CPU, WRK_CPU))
        for server in ("stevedore", "distribution"):
            log("warming %s: two full pulls and the tag" % server)
            for _ in range(2):
                puller.Puller(HOST, ports[server], img.repository, img.tag).pull()
            check_get(ports[server], "/v2/%s/manifests/%s" % (img.repository, img.tag),
                      images.ACCEPT_ALL)
        repo = "/v2/%s" % img.repository
        jit_seconds = parse_seconds(a.jit_warmup)
        if jit_seconds > 0:
            log("JIT warm-up: %gs of manifest load on Stevedore (by digest, then by tag)"
                % jit_seconds)
            base = "http://%s:%d%s/manifests/" % (HOST, ports["stevedore"], repo)
            run_wrk(a.wrk, base + img.platforms[0].manifest_digest, 32,
                    "%gs" % (jit_seconds / 2), images.MANIFEST_V2)
            run_wrk(a.wrk, base + img.tag, 32, "%gs" % (jit_seconds / 2), images.ACCEPT_ALL)
        measures = [
            ("blob_1", 1, {"stevedore": "%s/blobs/%s" % (repo, img.big_layer.digest),
                           "distribution": "%s/blobs/%s" % (repo, img.big_layer.digest),
                           "nginx": "/blob"}, None),
            ("blob_16", 16, {"stevedore": "%s/blobs/%s" % (repo, img.big_layer.digest),
                             "distribution": "%s/blobs/%s" % (repo, img.big_layer.digest),
                             "nginx": "/blob"}, None),
            ("manifest_digest_32", 32,
             {"stevedore": "%s/manifests/%s" % (repo, img.platforms[0].manifest_digest),
              "distribution": "%s/manifests/%s" % (repo, img.platforms[0].manifest_digest),
              "nginx": "/manifest"}, images.MANIFEST_V2),
        ]
        if "manifest-tag" not in a.skip:
            measures.append(("manifest_tag_32", 32,
                             {"stevedore": "%s/manifests/%s" % (repo, img.tag),
                              "distribution": "%s/manifests/%s" % (repo, img.tag)},
                             images.ACCEPT_ALL))
        warm = self.results.setdefault("warm", {})
        for key, connections, paths, accept in measures:
            runs = {}
            for round_no in range(a.rounds):
                for server in ("nginx", "stevedore", "distribution"):
                    if server not in paths:
                        continue
                    url = "http://%s:%d%s" % (HOST, ports[server], paths[server])
                    if round_no == 0 and parse_seconds(a.warmup) > 0:
                        run_wrk(a.wrk, url, connections, a.warmup, accept)
                    # distribution's upstream requests outlive its wrk run; let them end first,
                    # so that they are not counted for the next server
                    self.uplink.counts.settle(quiet=0.5, limit=10.0)
                    self.uplink.counts.reset()
                    meter = CpuMeter({server: procs[server]}).start()
                    result = run_wrk(a.wrk, url, connections, a.duration, accept)
                    result["cpu"] = meter.stop()
                    result["server_cpu_seconds"] = result["cpu"]["cpu_seconds"][server]
                    result["upstream"] = self.uplink.counts.snapshot()
                    runs.setdefault(server, []).append(result)
                    log("  %-20s %-13s %s" % (key, server, summarize_wrk(result, key)))
                    if procs[server].poll() is not None:
                        raise RuntimeError("%s died during %s (log %s)"
                                           % (server, key, procs[server].log_path))
            for server, results in runs.items():
                warm.setdefault(key, {})[server] = pick_run(results, key, a.pick)
                self.wrk_text.extend("## %s %s round %d\n%s" % (key, server, n + 1, r["stdout"])
                                     for n, r in enumerate(results))
        for server, proc in procs.items():
            self._stop(proc, server, "warm")

    def cold_measurements(self):
        """For each link, --cold-rounds rounds; in each round, for each cache, one client alone
        and then --clients at once, each through a fresh server. Rounds rotate the servers, so
        that a slow minute of the machine does not fall on one server's samples only."""
        a = self.args
        variants = [("loopback", "loopback", 0.0)]
        if a.uplink_mibps > 0:
            variants.append(("uplink", "uplink %g MiB/s" % a.uplink_mibps, a.uplink_mibps))
        cold = self.results.setdefault("cold", {})
        for key, label, mibps in variants:
            cold[key] = {"label": label, "uplink_mibps": mibps,
                         "stevedore": {"rounds": []}, "distribution": {"rounds": []}}
            for round_no in range(a.cold_rounds):
                for server in ("stevedore", "distribution"):
                    sample = {}
                    for phase, clients in (("single", 1), ("wave", a.clients)):
                        sample.update(self.cold_pull(key, server, phase, clients, mibps,
                                                     round_no))
                    cold[key][server]["rounds"].append(sample)

    def cold_pull(self, key, server, phase, clients, mibps, round_no):
        """One fresh server, the warm-up pull of another image, then the measured pull; after a
        wave, the same wave again through the now warm server. Returns {phase: result}."""
        a = self.args
        name = "%s-cold-%s-%s-%d" % (server, key, phase, round_no + 1)
        port = servers.free_port()
        proc = (self._stevedore(name, port) if server == "stevedore"
                else self._distribution(name, port))
        measured = {}
        if not a.no_process_warmup:
            warmup = puller.wave(HOST, port, self.warmup_image.repository,
                                 self.warmup_image.tag, a.clients, a.parallel)
            if warmup["failures"]:
                raise RuntimeError("warm-up pulls through %s failed: %s"
                                   % (name, warmup["errors"]))
            self.uplink.counts.settle(quiet=0.5)
        self.uplink.link.set_rate(mibps * MIB)
        self.uplink.counts.reset()
        meter = CpuMeter({server: proc, "upstream": self.upstream_cpu}).start()
        result = puller.wave(HOST, port, self.image.repository, self.image.tag,
                             clients, a.parallel)
        result["cpu"] = meter.stop()
        result["server_cpu_seconds"] = result["cpu"]["cpu_seconds"][server]
        result["upstream_at_end"] = self.uplink.counts.snapshot()
        self.uplink.counts.settle()
        result["upstream"] = self.uplink.counts.snapshot()
        measured[phase] = result
        log("  cold %-9s %-13s %-6s round %d: %s"
            % (key, server, phase, round_no + 1, summarize_wave(result)))
        if phase == "wave":
            self.uplink.counts.reset()
            meter = CpuMeter({server: proc, "upstream": self.upstream_cpu}).start()
            warm_wave = puller.wave(HOST, port, self.image.repository,
                                    self.image.tag, clients, a.parallel)
            warm_wave["cpu"] = meter.stop()
            warm_wave["server_cpu_seconds"] = warm_wave["cpu"]["cpu_seconds"][server]
            self.uplink.counts.settle()
            warm_wave["upstream"] = self.uplink.counts.snapshot()
            measured["warm_wave"] = warm_wave
            log("  warm %-9s %-13s %-6s round %d: %s"
                % (key, server, "wave", round_no + 1, summarize_wave(warm_wave)))
        self.uplink.link.set_rate(0)
        if proc.poll() is not None:
            raise RuntimeError("%s died during the cold %s (log %s)"
                               % (name, phase, proc.log_path))
        self._stop(proc, server, "cold")
        shutil.rmtree(os.path.join(self.workdir, name), ignore_errors=True)
        return measured

    # ------------------------------------------------------------------------------ output

    def write(self):
        out = runinfo.new_run_dir(self.args.results)
        rows, checks = report.build(self.results)
        self.results["table"] = [vars(row) for row in rows]
        self.results["checks"] = checks
        self.results["interference"] = interference(self.results)
        # results.json is the small file committed next to the README's figures: every round's
        # numbers, the reported figures and the setup; wrk's text output goes to logs/ (ignored).
        with open(os.path.join(out, "results.json"), "w") as f:
            json.dump(compact(self.results), f, indent=1, default=str)
        title = "Stevedore vs nginx vs CNCF distribution — %s, %d cores, jar built %s" % (
            self.results["started"][:16].replace("T", " "), os.cpu_count(),
            self.results["machine"]["stevedore_jar_built"][:16].replace("T", " "))
        with open(os.path.join(out, "chart.svg"), "w") as f:
            f.write(report.svg_chart(self.results, title))
        table = report.text_table(rows)
        with open(os.path.join(out, "results.md"), "w") as f:
            f.write(results_markdown(self.results, report.markdown_table(rows)))
        logs = os.path.join(out, "logs")
        os.makedirs(logs, exist_ok=True)
        with open(os.path.join(logs, "wrk-output.txt"), "w") as f:
            f.write("\n".join(self.wrk_text))
        for name in sorted(os.listdir(self.workdir)):
            if name.endswith(".log"):
                copy_tail(os.path.join(self.workdir, name), os.path.join(logs, name))
        if self.jfr_file and os.path.exists(self.jfr_file):
            shutil.copy(self.jfr_file, os.path.join(out, "stevedore-warm.jfr"))
        nginx_error = os.path.join(self.workdir, "nginx", "error.log")
        if os.path.exists(nginx_error):
            copy_tail(nginx_error, os.path.join(logs, "nginx-error.log"))
        o = self.results["options"]
        parts = []
        if self.results.get("warm"):
            parts.append("warm figures: %s" % report.pick_label(o["pick"], o["rounds"]))
        if self.results.get("cold"):
            parts.append("cold figures: median (min–max) of %d round(s); ratios in [brackets]: "
                         "each server's own wave ÷ single" % o["cold_rounds"])
        table += "\n\n" + "; ".join(parts)
        warning = interference_warning(self.results["interference"])
        if warning:
            table += "\n\n" + warning
        return out, table, checks


# ---------------------------------------------------------------------------------- helpers

class CpuMeter:
    """CPU used between start() and stop(): by the whole machine, by this process (clients and
    relay), by waited-for children (wrk) and by the given server processes."""

    def __init__(self, procs):
        self.procs = procs

    @staticmethod
    def _machine():
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields[:8]) - idle

    def start(self):
        self._t = time.monotonic()
        self._machine0 = self._machine()
        self._self0 = resource.getrusage(resource.RUSAGE_SELF)
        self._children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self._procs0 = {name: p.cpu_seconds() for name, p in self.procs.items()}
        return self

    def stop(self):
        seconds = time.monotonic() - self._t
        ticks = os.sysconf("SC_CLK_TCK")
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = {name: p.cpu_seconds() - self._procs0[name] for name, p in self.procs.items()}
        used["bench (python)"] = (own.ru_utime + own.ru_stime
                                  - self._self0.ru_utime - self._self0.ru_stime)
        used["wrk"] = (children.ru_utime + children.ru_stime
                       - self._children0.ru_utime - self._children0.ru_stime)
        machine = (self._machine() - self._machine0) / ticks
        used["other processes"] = max(0.0, machine - sum(used.values()))
        return {"seconds": seconds, "machine_cpu_seconds": machine,
                "machine_busy_cores": machine / seconds if seconds else 0,
                "cpu_seconds": {k: round(v, 3) for k, v in used.items()},
                "loadavg_1m": os.getloadavg()[0]}


def log(message):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), message), flush=True)


def parse_seconds(text):
    text = str(text).strip()
    units = {"ms": 0.001, "s": 1, "m": 60}
    for suffix in ("ms", "s", "m"):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * units[suffix]
    return float(text)


SERVER_CPU = "0"
WRK_CPU = "1"
PIN_WRK = []


def pin_tree(pid, cpus):
    """Every thread of pid and of its child processes on cpus (threads made later inherit it)."""
    subprocess.run(["taskset", "-a", "-p", "-c", cpus, str(pid)], check=True,
                   stdout=subprocess.DEVNULL)
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    for child in children.split():
        pin_tree(int(child), cpus)


def run_wrk(wrk, url, connections, duration, accept):
    threads = min(2, connections)
    argv = PIN_WRK + [wrk, "-t%d" % threads, "-c%d" % connections, "-d%s" % duration, "--timeout", "30s",
            "-s", os.path.join(HERE, "wrk-report.lua")]
    if accept:
        argv += ["-H", "Accept: " + accept]
    argv.append(url)
    done = subprocess.run(argv, capture_output=True, text=True,
                          timeout=parse_seconds(duration) + 120)
    for line in done.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            result = json.loads(line[len("WRK_JSON "):])
            result.update({"connections": connections, "threads": threads, "url": url,
                           "accept": accept, "stdout": done.stdout})
            return result
    return {"failed": True, "connections": connections, "url": url, "stdout": done.stdout,
            "stderr": done.stderr, "exit": done.returncode}


def wrk_value(result, key):
    if result.get("failed"):
        return -1.0
    return (result["bytes"] if key.startswith("blob") else result["requests"]) / (
        result["duration_us"] / 1e6)


def pick_run(results, key, pick):
    """One run of several: the median value (the lower one of an even count), or the run that
    other processes disturbed least. Every round's figures stay attached under "rounds" (wrk's
    text output is left out: it is in logs/wrk-output.txt)."""
    if pick == "median":
        ranked = sorted(results, key=lambda r: wrk_value(r, key))
    else:
        # The quietest round; rounds about as quiet as it (within 0.05 cores) are ties, and the
        # median value of the ties is reported.
        def other(r):
            return r["cpu"]["cpu_seconds"]["other processes"] / max(r["cpu"]["seconds"], 1e-9)
        quietest = min(other(r) for r in results)
        ranked = sorted((r for r in results if other(r) <= quietest + 0.05),
                        key=lambda r: wrk_value(r, key))
    chosen = {k: v for k, v in ranked[(len(ranked) - 1) // 2].items() if k != "stdout"}
    chosen["picked"] = pick
    chosen["round"] = results.index(ranked[(len(ranked) - 1) // 2]) + 1
    chosen["rounds"] = [dict({k: v for k, v in r.items() if k != "stdout"},
                             value=round(wrk_value(r, key), 1),
                             other_cores=round(r["cpu"]["cpu_seconds"]["other processes"]
                                               / r["cpu"]["seconds"], 2)) for r in results]
    return chosen


def compact(results):
    """results for results.json: a warm measurement keeps its rounds and the number of the
    reported one ("round", 1-based), without a second copy of that round's figures."""
    warm = {key: {server: {k: w[k] for k in ("picked", "round", "rounds")} if "rounds" in w else w
                  for server, w in by_server.items()}
            for key, by_server in results.get("warm", {}).items()}
    return dict(results, warm=warm) if warm else results


def summarize_wrk(result, key):
    if result.get("failed"):
        return "FAILED: %s" % (result.get("stderr") or result.get("stdout"))[-300:]
    seconds = result["duration_us"] / 1e6
    errors = sum(result[k] for k in result if k.startswith("errors_"))
    text = ("%.2f GiB/s" % (result["bytes"] / seconds / 1024 ** 3) if key.startswith("blob")
            else "{:,.0f} req/s".format(result["requests"] / seconds))
    text += ", p99 %.1f ms; cores busy: server %.2f, wrk %.2f, others %.2f" % (
        result["latency_p99_us"] / 1000, result["server_cpu_seconds"] / seconds,
        result["cpu"]["cpu_seconds"]["wrk"] / seconds,
        result["cpu"]["cpu_seconds"]["other processes"] / seconds)
    if errors:
        text += ", %d ERRORS (status %d)" % (errors, result["errors_status"])
    if result["upstream"]["requests"]:
        text += ", %d upstream requests" % result["upstream"]["requests"]
    return text


def summarize_wave(result):
    up = result["upstream"]
    text = "%.2f s (clients %.2f/%.2f/%.2f), upstream %.1f MiB, %d manifest GETs, %d HEADs" % (
        result["wall_seconds"], result["client_seconds_min"], result["client_seconds_median"],
        result["client_seconds_max"], up["bytes_down"] / MIB, up["manifest_gets"],
        up["manifest_heads"])
    text += "; CPU s: server %.1f, clients+relay %.1f, upstream %.1f, others %.1f" % (
        result["server_cpu_seconds"], result["cpu"]["cpu_seconds"]["bench (python)"],
        result["cpu"]["cpu_seconds"]["upstream"], result["cpu"]["cpu_seconds"]["other processes"])
    if result["failures"]:
        text += ", %d FAILED: %s" % (result["failures"], result["errors"][:2])
    return text


def prepare_launcher(launcher, java):
    """Starts the launcher copy once (`--version`), so that a first start's one-time work (such as
    recording the class-data archive) is not in the measured starts; returns what it printed."""
    env = dict(os.environ, PATH=os.path.dirname(java) + os.pathsep + os.environ.get("PATH", ""))
    done = subprocess.run([launcher, "--version"], capture_output=True, text=True, env=env,
                          timeout=300)
    if done.returncode != 0:
        raise RuntimeError("%s --version failed: %s" % (launcher, done.stderr))
    return {"path": launcher, "first_start": (done.stdout + done.stderr).strip()}


def check_get(port, path, accept):
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    conn.request("GET", path, headers={"Accept": accept})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError("GET %s on port %d: HTTP %d" % (path, port, response.status))


def describe_image(img):
    s = img.summary()
    return "%d blobs, %d manifests, %.1f MiB; big layer %d MiB" % (
        s["blobs"], s["manifests"], s["total_bytes"] / MIB, s["big_layer_bytes"] // MIB)


def machine_info(a):
    info = runinfo.machine_info(a.java, {"nginx": [a.nginx, "-v"], "wrk": [a.wrk, "-v"],
                                         "docker_registry": [a.registry, "--version"]})
    info.update({
        "stevedore_jar": a.jar,
        "stevedore_jar_built": (datetime.datetime.fromtimestamp(os.path.getmtime(a.jar)).isoformat(
            timespec="seconds") if os.path.exists(a.jar) else "?"),
        "stevedore_jar_older_than_sources": jar_is_stale(a.jar),
    })
    return info


def interference(results):
    """CPU that processes other than the benchmark's used while it measured, in cores: over all
    reported measurements, and per part (warm; cold pulls through each cache)."""
    parts = {"warm": [w for by in results.get("warm", {}).values() for w in by.values()]}
    for variant in results.get("cold", {}).values():
        for server in ("stevedore", "distribution"):
            parts.setdefault("cold " + server, []).extend(
                r for sample in (variant.get(server) or {}).get("rounds", [])
                for r in sample.values())

    def mean(samples):
        busy = sum(s["cpu"]["cpu_seconds"]["other processes"] for s in samples if s.get("cpu"))
        seconds = sum(s["cpu"]["seconds"] for s in samples if s.get("cpu"))
        return busy / seconds if seconds else 0.0

    every = [s for samples in parts.values() for s in samples if s.get("cpu")]
    worst = max([s["cpu"]["cpu_seconds"]["other processes"] / s["cpu"]["seconds"]
                 for s in every if s["cpu"]["seconds"]] or [0.0])
    return {"mean_cores": mean(every), "worst_cores": worst,
            "parts": {name: round(mean(samples), 2) for name, samples in parts.items()
                      if samples}}


def interference_warning(found):
    disturbed = {k: v for k, v in found.get("parts", {}).items() if v >= 0.25}
    if not disturbed and found["mean_cores"] < 0.25:
        return ""
    return ("WARNING: other processes kept cores busy while this ran on %d cores (%s; worst "
            "single measurement %.2f). Those figures are not reliable; run again on a quiet "
            "machine." % (os.cpu_count(), ", ".join("%s: %.2f" % kv for kv in
                                                     (disturbed or found["parts"]).items()),
                          found["worst_cores"]))


def jar_is_stale(jar):
    if not os.path.exists(jar):
        return None
    built = os.path.getmtime(jar)
    for module in ("storage", "proxy-core", "proxy-server"):
        for root, _, files in os.walk(os.path.join(REPO, module, "src", "main")):
            for name in files:
                if os.path.getmtime(os.path.join(root, name)) > built:
                    return True
    return False


def copy_tail(source, target, limit=2 * MIB):
    size = os.path.getsize(source)
    with open(source, "rb") as src, open(target, "wb") as dst:
        if size > limit:
            src.seek(size - limit)
            dst.write(b"[... first %d bytes cut ...]\n" % (size - limit))
        shutil.copyfileobj(src, dst)


def results_markdown(results, table):
    m, img, o = results["machine"], results["image"], results["options"]
    lines = [
        "# Stevedore performance benchmark — %s" % results["started"],
        "",
        table,
        "",
        "Targets: issue 8 (warm blob ≥ 0.95× nginx; manifests by digest ≥ 0.5× nginx and ≥ 20× "
        "distribution; cold wave ≤ 1.5× one client alone); upstream bytes ≤ 1.01× the image is "
        "issue 3's. Ratios in brackets in the distribution column are distribution's own.",
        "",
        "## Setup",
        "",
        "- machine: %s CPUs (%s), %s GiB, Linux %s; load average before %s, after %s" % (
            m["cpus"], m["cpu"], m["memory_gib"], m["kernel"],
            "/".join("%.2f" % x for x in m["loadavg_before"]),
            "/".join("%.2f" % x for x in m.get("loadavg_after", []))),
        "- Stevedore: `%s` built %s%s (repository at %s), `java %s`, log level %s; %s" % (
            m["stevedore_jar"], m["stevedore_jar_built"],
            "; some sources are newer than the jar" if m.get("stevedore_jar_older_than_sources")
            else "", m["repository_commit"], o["java_opts"],
            o["stevedore_log_level"], m["java"]),
        "- %s; %s; %s" % (m["nginx"], m["wrk"], m["docker_registry"]),
        "- image `%s:%s`: %d blobs + %d manifests = %.1f MiB; big layer %d MiB; manifest by "
        "digest %d bytes" % (img["repository"], img["tag"], img["blobs"], img["manifests"],
                              img["total_bytes"] / MIB, img["big_layer_bytes"] // MIB,
                              img["amd64_manifest_bytes"]),
        "- JIT warm-up of Stevedore before the warm measurements: %s of manifest load" % (
            o["jit_warmup"]),
        "- warm measurements %s" % (
            "pinned: every server's threads on CPU %s, wrk on CPU %s (--pin)" % (SERVER_CPU, WRK_CPU)
            if o.get("pin") else "unpinned: servers and wrk share every CPU"),
        "- wrk runs of %s (after %s unmeasured), %d round(s) in rotation; reported: %s; "
        "%d pull clients with %d blobs at a time" % (
            o["duration"], o["warmup"], o["rounds"], report.pick_label(o["pick"], o["rounds"]),
            o["clients"], o["parallel"]),
        "- upstream: docker-registry with token auth (a JWT token service, as Docker Hub's), "
        "both reached through the counting uplink relay; both caches pull anonymously",
        "- cold pulls: %d round(s) per cache, link and client count, in rotation, the median "
        "reported with (min–max); a fresh server (new data directory / storage) for each; %s" % (
            o["cold_rounds"],
            "no warm-up pull" if o["no_process_warmup"] else
            "before each, a wave of %d pulls of a different image (`library/warmup:v1`) "
            "through the same fresh server, not counted (JIT, page cache)" % o["clients"]),
        "",
        "- other processes on the machine used %.2f cores on average while this measured "
        "(%s; worst measurement: %.2f)" % (
            results["interference"]["mean_cores"],
            ", ".join("%s %.2f" % kv for kv in results["interference"]["parts"].items()),
            results["interference"]["worst_cores"]),
        "",
        interference_warning(results["interference"]),
        "",
        "![chart](chart.svg)",
        "",
    ]
    return "\n".join(lines + details_markdown(results)) + "\n"


def details_markdown(results):
    lines = []
    warm = results.get("warm", {})
    if warm:
        lines += ["## Warm measurements (wrk)", "",
                  "Each round's value @ the cores other processes used during it; * marks the "
                  "reported round (%s)." % report.pick_label(results["options"]["pick"],
                                                             results["options"]["rounds"]), "",
                  "| measure | server | result | latency p50 / p99 | cores busy: server / "
                  "wrk / other processes | upstream requests |", "|---|---|--:|--:|--:|--:|"]
        for key, by_server in warm.items():
            for server, w in by_server.items():
                if w.get("failed"):
                    lines.append("| %s | %s | wrk failed | | | |" % (key, server))
                    continue
                seconds = w["duration_us"] / 1e6
                value = ("%.2f GiB/s" % (w["bytes"] / seconds / 1024 ** 3)
                         if key.startswith("blob") else
                         "{:,.0f} req/s".format(w["requests"] / seconds))
                errors = sum(w[k] for k in w if k.startswith("errors_"))
                if errors:
                    value += " (%d errors)" % errors
                if w.get("rounds"):
                    unit = (1024 ** 3) if key.startswith("blob") else 1
                    value += " (rounds: %s)" % ", ".join(
                        ("%.2f" if key.startswith("blob") else "%.0f") % (r["value"] / unit)
                        + " @%.2f" % r["other_cores"] + ("*" if n + 1 == w["round"] else "")
                        for n, r in enumerate(w["rounds"]))
                cpu = w["cpu"]["cpu_seconds"]
                kinds = w["upstream"].get("by_kind", {})
                lines.append("| %s | %s | %s | %.2f / %.2f ms | %.2f / %.2f / %.2f | %d %s |" % (
                    key, server, value, w["latency_p50_us"] / 1000, w["latency_p99_us"] / 1000,
                    cpu[server] / seconds, cpu["wrk"] / seconds,
                    cpu["other processes"] / seconds, w["upstream"]["requests"],
                    "(%s)" % ", ".join("%s %d" % kv for kv in kinds.items()) if kinds else ""))
        lines.append("")
    cold = results.get("cold", {})
    if cold:
        lines += ["## Pulls (python clients, sha256 checked), every round", "",
                  "| link | server | round | pull | wall | client min / median / max | upstream "
                  "MiB (at end → settled) | manifest GET / HEAD, blob GET, ping, token | CPU s: "
                  "server / clients+relay / upstream / other processes | failed |",
                  "|---|---|--:|---|--:|--:|--:|--:|--:|--:|"]
        for key, variant in cold.items():
            for server in ("stevedore", "distribution"):
                for number, sample in enumerate((variant.get(server) or {}).get("rounds", [])):
                    for phase in ("single", "wave", "warm_wave"):
                        r = sample.get(phase)
                        if r:
                            lines += _pull_lines(variant["label"], server, number + 1, phase, r)
        lines.append("")
    return lines


def _pull_lines(label, server, number, phase, r):
    up, at_end = r["upstream"], r.get("upstream_at_end", r["upstream"])
    cpu = r["cpu"]["cpu_seconds"]
    lines = ["| %s | %s | %d | %s × %d | %.2f s | %.2f / %.2f / %.2f s | %.1f → %.1f | "
             "%d / %d, %d, %d, %d | %.1f / %.1f / %.1f / %.1f | %d |" % (
                 label, server, number, phase.replace("_", " "), r["clients"], r["wall_seconds"],
                 r["client_seconds_min"], r["client_seconds_median"], r["client_seconds_max"],
                 at_end["bytes_down"] / MIB, up["bytes_down"] / MIB, up["manifest_gets"],
                 up["manifest_heads"], up["blob_gets"], up.get("pings", 0),
                 up.get("token_gets", 0), cpu[server], cpu["bench (python)"], cpu["upstream"],
                 cpu["other processes"], r["failures"])]
    for error in r.get("errors", []):
        lines.append("|  |  |  | error: %s | | | | | | |" % error.replace("|", "/"))
    return lines


def main(argv):
    args = parse_args(argv)
    own_workdir = args.workdir is None
    if own_workdir:
        import tempfile
        args.workdir = tempfile.mkdtemp(prefix="stevedore-perf-")
    if args.pin:
        if (os.cpu_count() or 1) < 2 or not shutil.which("taskset"):
            print("bench: --pin needs 2 or more CPUs and taskset (util-linux)", file=sys.stderr)
            return 2
        PIN_WRK[:] = ["taskset", "-c", WRK_CPU]
    for tool in (args.registry, args.nginx, args.wrk, args.java):
        if not shutil.which(tool) and not os.access(tool, os.X_OK):
            print("bench: %s not found (run bench/perf/run.sh, which installs it)" % tool,
                  file=sys.stderr)
            return 2
    if not os.path.exists(args.jar):
        print("bench: %s missing; build it with ./mvnw -B -q -DskipTests package" % args.jar,
              file=sys.stderr)
        return 2

    def terminate(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)
    bench = Bench(args)
    started = time.monotonic()
    failed = None
    try:
        bench.run()
    except (Exception, KeyboardInterrupt) as error:  # noqa: BLE001 -- report what we have
        failed = error
        log("RUN FAILED: %s: %s" % (type(error).__name__, error))
    finally:
        bench.stop_all()
    if "image" not in bench.results:
        if own_workdir:
            shutil.rmtree(args.workdir, ignore_errors=True)
        return 1
    out, table, checks = bench.write()
    if own_workdir:
        shutil.rmtree(args.workdir, ignore_errors=True)
    print()
    print(table)
    print()
    passed = sum(1 for c in checks if c["verdict"] == "PASS")
    print("targets: %d of %d PASS; run took %.0f s" % (passed, len(checks),
                                                       time.monotonic() - started))
    print("results: %s/{results.md,results.json,chart.svg,logs/}" % os.path.relpath(out))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
