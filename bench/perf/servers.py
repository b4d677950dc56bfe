"""The servers of the benchmark, each a child process on 127.0.0.1 with its log in the work
directory: the upstream docker-registry and its token service, Stevedore, CNCF distribution in
proxy mode, nginx.

Every process is started in its own session and stopped by its PID (TERM, then KILL)."""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import time

HOST = "127.0.0.1"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _ready_or_stopped(proc, port, path, statuses=(200,)):
    """Returns proc once it answers; stops it (never leaves it running) when it does not."""
    try:
        wait_http(port, path, proc, statuses=statuses)
    except BaseException:
        proc.stop()
        raise
    return proc


def wait_http(port, path, proc, timeout=60, accept=None, statuses=(200,), interval=0.005):
    """Polls GET path every `interval` seconds until it answers one of `statuses`; fails early if
    the process died. Records on proc how long after its start it first answered
    (proc.ready_seconds): a refused connect on loopback costs microseconds, so polling every 5 ms
    does not slow the start it measures."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("%s exited with %s before it was ready (log: %s)"
                               % (proc.name, proc.returncode, proc.log_path))
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", path, headers={"Accept": accept} if accept else {})
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status in statuses:
                if proc is not None and proc.ready_seconds is None:
                    proc.ready_seconds = time.monotonic() - proc.started
                return
            last = "HTTP %d" % response.status
        except OSError as error:
            last = str(error)
        time.sleep(interval)
    raise RuntimeError("%s on port %d not ready after %ds: %s" % (proc.name, port, timeout, last))


class Proc:
    def __init__(self, name, argv, log_path, env=None, cwd=None):
        self.name = name
        self.log_path = log_path
        self.argv = argv
        self._log = open(log_path, "ab")
        self.ready_seconds = None
        self.started = time.monotonic()
        self._popen = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, env=env, cwd=cwd,
                                       start_new_session=True)
        self.pid = self._popen.pid

    @property
    def returncode(self):
        return self._popen.returncode

    def poll(self):
        return self._popen.poll()

    def peak_rss_bytes(self):
        """VmHWM of the process plus that of its descendants (nginx workers)."""
        return sum(_vm_hwm(pid) for pid in [self.pid] + _descendants(self.pid))

    def rss_bytes(self):
        """VmRSS now, of the process plus its descendants (nginx workers)."""
        return sum(_vm_status(pid, "VmRSS:") for pid in [self.pid] + _descendants(self.pid))

    def cpu_seconds(self):
        """User + system CPU of the process and its live descendants, in seconds."""
        ticks = os.sysconf("SC_CLK_TCK")
        return sum(_cpu_ticks(pid) for pid in [self.pid] + _descendants(self.pid)) / ticks

    def stop(self, timeout=15):
        if self._popen.poll() is None:
            try:
                os.kill(self.pid, signal.SIGTERM)
                self._popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self._popen.wait(5)
            except ProcessLookupError:
                pass
        self._log.close()


def _vm_hwm(pid):
    return _vm_status(pid, "VmHWM:")


def _vm_status(pid, field):
    """A kB field of /proc/PID/status (VmHWM: the peak RSS, VmRSS: the RSS now), in bytes."""
    try:
        with open("/proc/%d/status" % pid) as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _cpu_ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, IndexError, ValueError):
        return 0


def _descendants(root):
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Group:
    """Several processes counted as one in a CpuMeter (the upstream: registry + token service)."""

    def __init__(self, *procs):
        self.procs = procs

    def cpu_seconds(self):
        return sum(proc.cpu_seconds() for proc in self.procs)


def registry_config(path, port, storage_dir, remote_url=None, auth=None):
    """A docker-registry config: filesystem storage, no access log; token auth when `auth` (a
    token-service.json, with the realm clients must use) is given, as Docker Hub has; proxy mode
    when remote_url is given (as distribution's docs configure a pull-through cache, anonymous
    towards its remote like Stevedore)."""
    lines = [
        "version: 0.1",
        "log:",
        "  level: warn",
        "  accesslog:",
        "    disabled: true",
        "storage:",
        "  cache:",
        "    blobdescriptor: inmemory",
        "  filesystem:",
        "    rootdirectory: %s" % storage_dir,
        "http:",
        "  addr: %s:%d" % (HOST, port),
        "  headers:",
        "    X-Content-Type-Options: [nosniff]",
    ]
    if auth:
        lines += ["auth:", "  token:", "    realm: %s" % auth["realm"],
                  "    service: %s" % auth["service"], "    issuer: %s" % auth["issuer"],
                  "    rootcertbundle: %s" % auth["rootcertbundle"]]
    if remote_url:
        lines += ["proxy:", "  remoteurl: %s" % remote_url]
    with open(path, "w") as config:
        config.write("\n".join(lines) + "\n")


def start_registry(name, binary, workdir, port, storage_dir, remote_url=None, auth=None):
    os.makedirs(storage_dir, exist_ok=True)
    config = os.path.join(workdir, name + ".yml")
    registry_config(config, port, storage_dir, remote_url, auth)
    proc = Proc(name, [binary, "serve", config], os.path.join(workdir, name + ".log"))
    return _ready_or_stopped(proc, port, "/v2/", (401,) if auth else (200,))


def start_token_service(java, classpath, workdir, timeout=60):
    """The IT harness's token server (dev.stevedore.server.bench.TokenService, from the test
    classes) as a child process. Returns (proc, its token-service.json as a dict)."""
    directory = os.path.join(workdir, "token-service")
    described = os.path.join(directory, "token-service.json")
    proc = Proc("token-service", [java, "-Xmx128m", "-XX:+UseSerialGC", "-cp", classpath,
                                  "dev.stevedore.server.bench.TokenService", directory],
                os.path.join(workdir, "token-service.log"))
    deadline = time.monotonic() + timeout
    while not os.path.exists(described):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.stop()
            raise RuntimeError("the token service did not start (log: %s)" % proc.log_path)
        time.sleep(0.1)
    with open(described) as description:
        return proc, json.load(description)


def start_stevedore(name, java, jar, java_opts, workdir, port, data_dir, upstream_url,
                    log_level, extra_args=(), extra_env=None, launcher=None):
    """`extra_args` go after serve's own (e.g. --store ...), `extra_env` into its environment
    (e.g. the store's credentials). With `launcher` (a copy of ./stevedore beside its jar, see
    shipped_launcher), Stevedore starts as users start it, with the shipped JVM settings, and
    `java_opts` go into STEVEDORE_JAVA_OPTS (after them); else `java java_opts -jar jar`."""
    env = dict(os.environ, STEVEDORE_LOG_LEVEL=log_level, **(extra_env or {}))
    serve = ["serve", "--listen", "%s:%d" % (HOST, port), "--data", data_dir,
             "--upstream", "docker.io=" + upstream_url]
    if launcher:
        env["STEVEDORE_JAVA_OPTS"] = " ".join(java_opts)
        env["PATH"] = os.path.dirname(java) + os.pathsep + env.get("PATH", "")
        argv = [launcher] + serve
    else:
        argv = [java] + java_opts + ["-jar", jar] + serve
    argv += list(extra_args)
    proc = Proc(name, argv, os.path.join(workdir, name + ".log"), env=env)
    return _ready_or_stopped(proc, port, "/v2/")


def shipped_launcher(repo, jar, directory):
    """A copy of the launcher with what it reads (the JVM options file) and `jar`, laid out as in
    the repository, in `directory`: it starts the jar as ./stevedore does, and no other work on the
    machine (a rebuild of the repository's jar) can change it under a running benchmark. There are
    no sources beside it, so it never rebuilds. Returns the launcher's path."""
    os.makedirs(os.path.join(directory, "proxy-server", "target"), exist_ok=True)
    launcher = os.path.join(directory, "stevedore")
    shutil.copy2(os.path.join(repo, "stevedore"), launcher)
    jvm = os.path.join(repo, "deploy", "jvm")
    if os.path.isdir(jvm):
        shutil.copytree(jvm, os.path.join(directory, "deploy", "jvm"), dirs_exist_ok=True)
    shutil.copy2(jar, os.path.join(directory, "proxy-server", "target", "stevedore.jar"))
    return launcher


def start_s3proxy(java, jar, workdir, port, bucket, identity, credential):
    """S3Proxy (org.gaul:s3proxy's jar-with-dependencies, from Maven Central) on 127.0.0.1:port,
    with jclouds' filesystem provider under workdir/s3proxy: a bucket is a directory there, so
    `bucket` is created as one. Ready when / answers (403: it wants a signed request)."""
    root = os.path.join(workdir, "s3proxy")
    os.makedirs(os.path.join(root, "data", bucket), exist_ok=True)
    properties = os.path.join(root, "s3proxy.properties")
    with open(properties, "w") as out:
        out.write("\n".join([
            "s3proxy.endpoint=http://%s:%d" % (HOST, port),
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=%s" % identity,
            "s3proxy.credential=%s" % credential,
            "jclouds.provider=filesystem",
            "jclouds.filesystem.basedir=%s" % os.path.join(root, "data"),
        ]) + "\n")
    proc = Proc("s3proxy", [java, "-Xmx512m", "-jar", jar, "--properties", properties],
                os.path.join(workdir, "s3proxy.log"))
    return _ready_or_stopped(proc, port, "/", (403,))


def start_nginx(binary, workdir, port, files):
    """nginx serving `files` ({name: bytes}) from a www dir, set up as a static file server at
    its best: a worker per core, sendfile + tcp_nopush, long keep-alive, open_file_cache (no
    open/stat per request), access_log off (as Stevedore's at WARN). See README.md."""
    root = os.path.join(workdir, "nginx")
    www = os.path.join(root, "www")
    temp = os.path.join(root, "temp")
    os.makedirs(www, exist_ok=True)
    os.makedirs(temp, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(www, name), "wb") as out:
            out.write(data)
        os.chmod(os.path.join(www, name), 0o644)
    # Workers run as nobody when nginx starts as root: they must reach the files.
    for path in (workdir, root, www):
        os.chmod(path, 0o755)
    modules = subprocess.run([binary, "-V"], capture_output=True, text=True).stderr
    temp_paths = ["client_body_temp_path %s/body;" % temp]
    for module in ("proxy", "fastcgi", "uwsgi", "scgi"):
        if "--without-http_%s_module" % module not in modules:
            temp_paths.append("%s_temp_path %s/%s;" % (module, temp, module))
    conf = os.path.join(root, "nginx.conf")
    with open(conf, "w") as out:
        out.write("""worker_processes auto;
daemon off;
pid %(root)s/nginx.pid;
error_log %(root)s/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  keepalive_timeout 65;
  # Keep descriptors and stat results of the served files: no open()/fstat() per request. The
  # files never change during a run; re-validate once a minute, cache from the first use, and
  # cache lookups that failed too.
  open_file_cache max=1000 inactive=60s;
  open_file_cache_valid 60s;
  open_file_cache_min_uses 1;
  open_file_cache_errors on;
  %(temp_paths)s
  types { }
  default_type application/octet-stream;
  server {
    listen %(host)s:%(port)d;
    root %(www)s;
    location = /manifest { default_type application/vnd.docker.distribution.manifest.v2+json; }
  }
}
""" % {"root": root, "www": www, "host": HOST, "port": port,
       "temp_paths": "\n  ".join(temp_paths)})
    proc = Proc("nginx", [binary, "-p", root + "/", "-e", root + "/error.log", "-c", conf],
                os.path.join(workdir, "nginx.log"))
    return _ready_or_stopped(proc, port, "/" + next(iter(files)))
