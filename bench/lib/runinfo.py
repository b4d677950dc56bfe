"""What every benchmark records next to its figures: where a run's results go, the machine and
software it ran on, and the spread of repeated samples.

A run writes `<benchmark>/results/<date>-<time>-<commit>/`. Only its small `results.json` (and
`results.md`, where the benchmark writes one) escape the `.gitignore`; logs stay ignored. The
README's figure tables cite the committed `results.json` of the runs they quote.
"""

import datetime
import os
import platform
import statistics
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def first_line(argv):
    """The first line a command prints (stdout, else stderr), or "?" when it cannot run."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        return (done.stdout + done.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


def commit():
    """The repository's short commit, with "-dirty" when tracked files have changes."""
    head = first_line(["git", "-C", REPO, "rev-parse", "--short", "HEAD"])
    dirty = first_line(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"])
    return head + ("-dirty" if dirty not in ("", "?") else "")


def new_run_dir(parent):
    """Creates and returns parent/<YYYYmmdd-HHMMSS>-<commit>."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = os.path.join(parent, "%s-%s" % (stamp, commit()))
    os.makedirs(path, exist_ok=True)
    return path


def machine_info(java="java", tools=None):
    """Cores, CPU, memory, kernel, JDK, the repository's commit and the versions of `tools`
    ({name: argv that prints its version})."""
    mem_kib = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    cpu = "?"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    info = {
        "cpus": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem_kib / 1024 ** 2, 1),
        "kernel": platform.release(), "python": platform.python_version(),
        "java": first_line([java, "-version"]), "repository_commit": commit(),
        "loadavg_before": os.getloadavg(),
    }
    for name, argv in (tools or {}).items():
        info[name] = first_line(argv)
    return info


def spread(values):
    """{"median", "min", "max", "n", "values"} of a list of numbers (None entries dropped)."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values), "values": values}


def fmt_spread(found, fmt="%.2f"):
    """"median (min–max)", or the single value when there is one sample."""
    if not found:
        return "-"
    if found["n"] == 1:
        return fmt % found["median"]
    return "%s (%s–%s)" % (fmt % found["median"], fmt % found["min"], fmt % found["max"])
