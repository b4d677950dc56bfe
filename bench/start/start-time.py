#!/usr/bin/env python3
"""Start-up time of Stevedore (issue 20): how soon `serve` answers `GET /v2/` with 200, and the
wall time of the CLI commands a node runs (`containerd-config`, `bundle ls`, `--help`).

Each variant starts the same jar with different JVM flags:

  plain    java -jar stevedore.jar ...
  options  java @deploy/jvm/jvm.options -jar ...   (when that file is missing: the stand-in
           -XX:+UseSerialGC -XX:TieredStopAtLevel=1)
  cds      the options plus -XX:SharedArchiveFile=<archive>, the archive recorded first with
           ... -jar stevedore.jar warm-up --archive <archive>, as ./stevedore does

Every round of `serve` gets a free loopback port and a fresh data directory; the script polls
`/v2/` every 5 ms from the moment it starts the process and records the time to the first 200
and the CPU seconds the JVM used until then (on a busy machine the CPU figure moves less than the
wall time). The CLI commands get their wall and CPU seconds too.
Results go to bench/start/results/<date>-<time>-<commit>/results.json (and results.md).

    bench/start/start-time.py [--rounds 10] [--java java] [--jar proxy-server/target/stevedore.jar]
                              [--variants plain,options,cds]
"""

import argparse
import hashlib
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "perf"))
import runinfo  # noqa: E402
import servers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OPTIONS_FILE = os.path.join(runinfo.REPO, "deploy", "jvm", "jvm.options")
STAND_IN_OPTIONS = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"]
READY_TIMEOUT = 60


def serve_ready_seconds(java_cmd, work):
    """Starts `serve` and returns (seconds from start to the first 200 on /v2/, CPU seconds the JVM
    used until then), then stops it. The CPU figure suffers less from a busy machine. The start and
    the polling are bench/perf's (servers.Proc, servers.wait_http: every 5 ms)."""
    port = servers.free_port()
    data = tempfile.mkdtemp(prefix="data-", dir=work)
    proc = servers.Proc("serve-%d" % port,
                        java_cmd + ["serve", "--listen", "127.0.0.1:%d" % port, "--data", data],
                        os.path.join(work, "serve-%d.log" % port))
    try:
        servers.wait_http(port, "/v2/", proc, timeout=READY_TIMEOUT)
        return proc.ready_seconds, proc.cpu_seconds()
    finally:
        proc.stop()
        shutil.rmtree(data, ignore_errors=True)


def wall_seconds(argv):
    """(wall seconds, CPU seconds) of running argv to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if done.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (argv, done.returncode, done.stderr.decode()))
    return elapsed, cpu


def small_bundle(path):
    """Writes a one-image OCI layout tar (a bundle `bundle ls` reads) to path."""
    blobs = {}

    def blob(data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return {"digest": digest, "size": len(data)}

    layer = blob(b"\x1f\x8b" + os.urandom(4096))
    config = blob(json.dumps({"architecture": "amd64", "os": "linux",
                              "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]}}).encode())
    manifest = dict(blob(json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": dict(config, mediaType="application/vnd.oci.image.config.v1+json"),
        "layers": [dict(layer, mediaType="application/vnd.oci.image.layer.v1.tar+gzip")],
    }).encode()), mediaType="application/vnd.oci.image.manifest.v1+json")
    manifest["annotations"] = {"io.containerd.image.name": "docker.io/library/bench:1",
                               "org.opencontainers.image.ref.name": "1"}
    files = {"oci-layout": json.dumps({"imageLayoutVersion": "1.0.0"}).encode(),
             "index.json": json.dumps({"schemaVersion": 2, "manifests": [manifest]}).encode()}
    for digest, data in blobs.items():
        files["blobs/sha256/" + digest.split(":")[1]] = data
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def variants(args, work):
    """{name: java command line up to and including the jar}."""
    options = ["@" + OPTIONS_FILE] if os.path.exists(OPTIONS_FILE) else STAND_IN_OPTIONS
    found = {"plain": [args.java, "-jar", args.jar],
             "options": [args.java] + options + ["-jar", args.jar]}
    archive = os.path.join(work, "stevedore.jsa")
    record = subprocess.run(
        [args.java] + options + ["-jar", args.jar, "warm-up", "--archive", archive],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if record.returncode == 0 and os.path.exists(archive):
        found["cds"] = [args.java] + options + ["-XX:SharedArchiveFile=" + archive,
                                                 "-jar", args.jar]
    else:
        print("cds: no archive (warm-up exited %d), variant skipped" % record.returncode,
              file=sys.stderr)
    return {name: cmd for name, cmd in found.items() if name in args.variants}, options


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--java", default="java")
    parser.add_argument("--jar", default=os.path.join(runinfo.REPO, "proxy-server", "target",
                                                      "stevedore.jar"))
    parser.add_argument("--variants", default="plain,options,cds",
                        type=lambda text: text.split(","))
    args = parser.parse_args()

    run_dir = runinfo.new_run_dir(os.path.join(HERE, "results"))
    work = tempfile.mkdtemp(prefix="stevedore-start-")
    try:
        info = runinfo.machine_info(args.java)
        info["jar_bytes"] = os.path.getsize(args.jar)
        chosen, options = variants(args, work)
        info["options"] = options
        bundle = os.path.join(work, "bundle.tar")
        small_bundle(bundle)
        out = os.path.join(work, "certs.d")
        commands = {
            "containerd-config": ["containerd-config", "--mirror", "http://127.0.0.1:5000",
                                  "--out", out],
            "bundle ls": ["bundle", "ls", bundle],
            "--help": ["--help"],
        }
        results = {}
        for name, java_cmd in chosen.items():
            samples = {figure: [] for figure in ["ready", "ready cpu"]
                       + [c + suffix for c in commands for suffix in ("", " cpu")]}
            for _ in range(args.rounds):  # interleaved, so background load hits all alike
                ready, cpu = serve_ready_seconds(java_cmd, work)
                samples["ready"].append(ready)
                samples["ready cpu"].append(cpu)
                for command, argv in commands.items():
                    wall, cpu = wall_seconds(java_cmd + argv)
                    samples[command].append(wall)
                    samples[command + " cpu"].append(cpu)
            results[name] = {"command": java_cmd,
                             **{figure: runinfo.spread(values) for figure, values in samples.items()}}
            print("%-8s %s" % (name, "; ".join(
                "%s %s s" % (figure, runinfo.fmt_spread(results[name][figure], "%.3f"))
                for figure in samples)), flush=True)
        info["loadavg_after"] = os.getloadavg()
        with open(os.path.join(run_dir, "results.json"), "w") as f:
            json.dump({"machine": info, "rounds": args.rounds, "results": results}, f, indent=2)
        figures = ["ready", "ready cpu"] + [c + suffix for c in commands for suffix in ("", " cpu")]
        with open(os.path.join(run_dir, "results.md"), "w") as f:
            f.write("| variant | %s |\n" % " | ".join(figures))
            f.write("|---|%s\n" % ("---|" * len(figures)))
            for name, found in results.items():
                f.write("| %s | %s |\n" % (name, " | ".join(
                    runinfo.fmt_spread(found[figure], "%.3f") for figure in figures)))
            f.write("\nseconds, median (min–max) of %d rounds; ready = first 200 on /v2/ after"
                    " the process starts; cpu = user+system CPU seconds of the JVM; %s;"
                    " load %s → %s\n" % (args.rounds, info["java"], info["loadavg_before"],
                                          info["loadavg_after"]))
        print("results: " + run_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
