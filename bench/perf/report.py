"""Turns the results of one run into the table (text and Markdown) and the SVG chart.

Warm figures are the round --pick chose (the median by default); cold figures are the median of
the --cold-rounds samples, with (min–max); a wave's time ratio is the median of each round's
wave ÷ single, and the upstream-bytes target holds only when every round meets it."""

import html

from runinfo import fmt_spread, spread

MIB = 1024 * 1024
GIB = 1024 * MIB
SERVERS = ("stevedore", "nginx", "distribution")
TITLES = {"stevedore": "Stevedore", "nginx": "nginx", "distribution": "distribution"}
COLOURS = {"stevedore": "#1f77b4", "nginx": "#2ca02c", "distribution": "#ff7f0e"}


class Row:
    def __init__(self, measure, unit, values, ratio="", target="", verdict="", note=""):
        self.measure = measure
        self.unit = unit
        self.values = values  # {server: display text}
        self.ratio = ratio
        self.target = target
        self.verdict = verdict
        self.note = note


def _gib_s(w):
    return w["bytes"] / (w["duration_us"] / 1e6) / GIB


def _req_s(w):
    return w["requests"] / (w["duration_us"] / 1e6)


def _wrk_failed(w):
    return w is None or w.get("failed") or (
        w["errors_status"] + w["errors_connect"] + w["errors_read"] + w["errors_timeout"]) > 0


def _verdict(ok, failed=False):
    if failed:
        return "ERROR"
    return "PASS" if ok else "MISS"


def _ratio(value):
    """Three decimals below 10 (so 0.947 does not print as a passing 0.95), one above."""
    return ("%.3f×" if value < 10 else "%.1f×") % value


def pick_label(pick, rounds):
    """How the reported warm round was chosen, for every place that shows a warm figure."""
    if rounds == 1:
        return "the only round"
    if pick == "quietest":
        return ("the quietest of %d rounds (--pick quietest: least CPU used by other processes; "
                "not a median)" % rounds)
    return "the median of %d rounds%s" % (rounds, "" if rounds % 2 else " (the lower middle one)")


def cold_samples(entry, phase):
    """The results of `phase` (single, wave, warm_wave) in every round of one cache."""
    return [sample[phase] for sample in (entry or {}).get("rounds", []) if sample.get(phase)]


def cold_figures(entry, image_bytes):
    """The derived cold figures of one cache and link: spreads over the rounds."""
    rounds = (entry or {}).get("rounds", [])
    paired = [s for s in rounds if s.get("single") and s.get("wave")]
    floor = [s for s in rounds if s.get("single") and s.get("warm_wave")]
    waves = cold_samples(entry, "wave")
    return {
        "rounds": len(rounds),
        "single_seconds": spread([r["wall_seconds"] for r in cold_samples(entry, "single")]),
        "wave_seconds": spread([r["wall_seconds"] for r in waves]),
        "warm_wave_seconds": spread([r["wall_seconds"] for r in cold_samples(entry, "warm_wave")]),
        "wave_over_single": spread([s["wave"]["wall_seconds"] / s["single"]["wall_seconds"]
                                    for s in paired if s["single"]["wall_seconds"]]),
        "warm_wave_over_single": spread([s["warm_wave"]["wall_seconds"]
                                         / s["single"]["wall_seconds"] for s in floor
                                         if s["single"]["wall_seconds"]]),
        "wave_upstream_bytes_over_image": spread([r["upstream"]["bytes_down"] / image_bytes
                                                  for r in waves]),
        "wave_upstream_manifest_gets": spread([r["upstream"]["manifest_gets"] for r in waves]),
        "wave_upstream_manifest_heads": spread([r["upstream"]["manifest_heads"] for r in waves]),
        "wave_upstream_token_gets": spread([r["upstream"].get("token_gets", 0) for r in waves]),
        "failures": sum(r["failures"] for phase in ("single", "wave", "warm_wave")
                        for r in cold_samples(entry, phase)),
    }


def _count_range(found):
    if not found:
        return "-"
    low, high = int(found["min"]), int(found["max"])
    return "%d" % low if low == high else "%d–%d" % (low, high)


def _fmt(value, kind):
    if value is None:
        return "-"
    if kind == "gib":
        return "%.2f" % value
    if kind == "req":
        return "{:,.0f}".format(value)
    if kind == "s":
        return "%.2f" % value
    if kind == "mib":
        return "{:,.1f}".format(value)
    return str(value)


def build(results):
    """Rows for the table and the checks (targets) of one run."""
    rows, checks = [], []
    warm = results.get("warm", {})

    def wrk_row(key, label, kind, value_of, targets):
        measured = warm.get(key)
        if not measured:
            return
        values, numbers = {}, {}
        for server in SERVERS:
            w = measured.get(server)
            if w is None:
                values[server] = "-"
                continue
            if _wrk_failed(w):
                values[server] = "error"
                numbers[server] = None
                continue
            numbers[server] = value_of(w)
            values[server] = _fmt(numbers[server], kind)
        first = True
        for versus, minimum, source in targets:
            s, other = numbers.get("stevedore"), numbers.get(versus)
            failed = s is None or other is None
            ratio = None if failed or not other else s / other
            row = Row(label if first else "", ("GiB/s" if kind == "gib" else "req/s")
                      if first else "", values if first else {},
                      "-" if ratio is None else "%s %s" % (_ratio(ratio), versus),
                      "≥ %g× %s" % (minimum, versus) if minimum else "(info)",
                      _verdict(ratio is not None and ratio >= minimum, failed) if minimum else "")
            rows.append(row)
            if minimum:
                checks.append({"measure": "%s: Stevedore / %s" % (label, versus),
                               "ratio": ratio, "target": ">= %g" % minimum, "source": source,
                               "verdict": row.verdict})
            first = False

    wrk_row("blob_1", "warm blob, 1 client", "gib", _gib_s,
            [("nginx", 0.95, "issue 8")])
    wrk_row("blob_16", "warm blob, 16 clients", "gib", _gib_s,
            [("nginx", 0.95, "issue 8")])
    wrk_row("manifest_digest_32", "warm manifest by digest, 32 clients", "req", _req_s,
            [("nginx", 0.7, "issue 20"), ("distribution", 20, "issue 8")])
    wrk_row("manifest_tag_32", "warm manifest by tag, 32 clients", "req", _req_s,
            [("distribution", 0, "")])

    image_bytes = results["image"]["total_bytes"]
    for key, cold in results.get("cold", {}).items():
        link = cold["label"]
        figures = {s: cold_figures(cold.get(s), image_bytes) for s in ("stevedore", "distribution")}
        cold["figures"] = figures
        n = figures["stevedore"]["rounds"] or figures["distribution"]["rounds"]
        clients = next((r["clients"] for s in ("stevedore", "distribution")
                        for r in cold_samples(cold.get(s), "wave")), "N")
        failed = figures["stevedore"]["failures"] > 0

        def cell(server, seconds, ratio=None):
            f = figures[server]
            if not f[seconds]:
                return "-"
            text = fmt_spread(f[seconds])
            if ratio and f[ratio]:
                text += " [%s×]" % fmt_spread(f[ratio])
            if f["failures"]:
                text += " (%d failed)" % f["failures"]
            return text

        rounds_note = "median of %d round%s" % (n, "" if n == 1 else "s (min–max)")
        rows.append(Row("cold pull, 1 client alone [%s] — %s" % (link, rounds_note), "s",
                        {s: cell(s, "single_seconds") for s in figures}))
        s_ratio = figures["stevedore"]["wave_over_single"]
        wave_row = Row(
            "cold pull, %s clients at once [%s] [÷ single]" % (clients, link), "s",
            {s: cell(s, "wave_seconds", "wave_over_single") for s in figures},
            "-" if s_ratio is None else "%s single%s" % (
                _ratio(s_ratio["median"]), "" if s_ratio["n"] == 1 else " (%.2f–%.2f)" % (
                    s_ratio["min"], s_ratio["max"])),
            "≤ 1.5× single (median)",
            _verdict(s_ratio is not None and s_ratio["median"] <= 1.5, failed))
        rows.append(wave_row)
        checks.append({"measure": "cold wave [%s]: wave / single (Stevedore), median of %d "
                                  "rounds" % (link, n),
                       "ratio": s_ratio and s_ratio["median"], "spread": s_ratio,
                       "target": "<= 1.5", "source": "issue 8", "verdict": wave_row.verdict})
        s_bytes = figures["stevedore"]["wave_upstream_bytes_over_image"]
        bytes_row = Row(
            "upstream bytes in the wave ÷ image [%s]" % link, "×",
            {s: fmt_spread(figures[s]["wave_upstream_bytes_over_image"], "%.3f")
             for s in figures},
            "-" if s_bytes is None else "%.3f× image (worst)" % s_bytes["max"],
            "≤ 1.01× image, every round",
            _verdict(s_bytes is not None and s_bytes["max"] <= 1.01, failed))
        rows.append(bytes_row)
        checks.append({"measure": "cold wave [%s]: upstream bytes / image bytes (Stevedore), "
                                  "worst of %d rounds" % (link, n),
                       "ratio": s_bytes and s_bytes["max"], "spread": s_bytes,
                       "target": "<= 1.01", "source": "issue 3 (bench/README.md)",
                       "verdict": bytes_row.verdict})
        rows.append(Row("upstream manifest GETs / HEADs / tokens in the wave [%s]" % link,
                        "count",
                        {s: "%s / %s / %s" % (
                            _count_range(figures[s]["wave_upstream_manifest_gets"]),
                            _count_range(figures[s]["wave_upstream_manifest_heads"]),
                            _count_range(figures[s]["wave_upstream_token_gets"]))
                         for s in figures}, target="(info)"))
        rows.append(Row("warm pull, %s clients at once [%s] [÷ single]" % (clients, link), "s",
                        {s: cell(s, "warm_wave_seconds", "warm_wave_over_single")
                         for s in figures}, "", "(floor)"))

    start_rows(results.get("start", {}), rows, checks)
    rss = results.get("rss", {})
    for phase, label in (("warm", "peak RSS, warm measurements"), ("cold", "peak RSS, cold pulls")):
        values = {s: _fmt(rss[s][phase] / MIB, "mib") if rss.get(s, {}).get(phase) else "-"
                  for s in SERVERS}
        if not any(v != "-" for v in values.values()):
            continue
        if phase != "warm" or not rss.get("stevedore", {}).get("warm"):
            rows.append(Row(label, "MiB", values, target="(info)"))
            continue
        peak = rss["stevedore"]["warm"] / MIB
        other = rss.get("distribution", {}).get("warm")
        ok = peak <= 150 and (not other or peak < other / MIB)
        row = Row(label, "MiB", values,
                  "%s distribution" % _ratio(peak / (other / MIB)) if other else "-",
                  "≤ 150 MiB and < distribution", _verdict(ok))
        rows.append(row)
        checks.append({"measure": "peak RSS under the warm load (Stevedore), MiB", "ratio": peak,
                       "target": "<= 150 and < distribution", "source": "issue 20",
                       "verdict": row.verdict})
    return rows, checks


def start_rows(start, rows, checks):
    """Ready time and idle RSS of the fresh starts: median (min–max) of the rounds."""
    if not start:
        return
    ready = {s: spread([r["ready_seconds"] for r in start.get(s, [])]) for s in SERVERS}
    idle = {s: spread([r["idle_rss_bytes"] / MIB for r in start.get(s, [])]) for s in SERVERS}
    n = max((x["n"] for x in ready.values() if x), default=0)
    s_ready, d_ready = ready.get("stevedore"), ready.get("distribution")
    ratio = s_ready["median"] / d_ready["median"] if s_ready and d_ready else None
    row = Row("ready after start, first answer — median of %d (min–max)" % n, "s",
              {s: fmt_spread(ready[s], "%.3f") for s in SERVERS},
              "-" if ratio is None else "%s distribution" % _ratio(ratio), "≤ 0.4 s",
              _verdict(s_ready is not None and s_ready["median"] <= 0.4))
    rows.append(row)
    checks.append({"measure": "ready after start (Stevedore, first 200 on /v2/), s, median",
                   "ratio": s_ready and s_ready["median"], "spread": s_ready,
                   "versus_distribution": ratio, "target": "<= 0.4", "source": "issue 20",
                   "verdict": row.verdict})
    s_idle = idle.get("stevedore")
    row = Row("idle RSS after start — median (min–max)", "MiB",
              {s: fmt_spread(idle[s], "%.1f") for s in SERVERS}, "", "≤ 64 MiB",
              _verdict(s_idle is not None and s_idle["median"] <= 64))
    rows.append(row)
    checks.append({"measure": "idle RSS after start (Stevedore), MiB, median",
                   "ratio": s_idle and s_idle["median"], "spread": s_idle, "target": "<= 64",
                   "source": "issue 20", "verdict": row.verdict})


def text_table(rows):
    header = ["measure", "unit", "Stevedore", "nginx", "distribution", "ratio", "target", "result"]
    table = [header] + [[r.measure, r.unit, r.values.get("stevedore", ""), r.values.get("nginx", ""),
                         r.values.get("distribution", ""), r.ratio, r.target, r.verdict]
                        for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    right = {2, 3, 4}
    out = []
    for n, line in enumerate(table):
        cells = [(c.rjust(widths[i]) if i in right else c.ljust(widths[i]))
                 for i, c in enumerate(line)]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def markdown_table(rows):
    out = ["| measure | unit | Stevedore | nginx | distribution | ratio | target | result |",
           "|---|---|--:|--:|--:|---|---|---|"]
    for r in rows:
        verdict = "**%s**" % r.verdict if r.verdict in ("MISS", "ERROR") else r.verdict
        out.append("| %s |" % " | ".join([
            r.measure, r.unit, r.values.get("stevedore", ""), r.values.get("nginx", ""),
            r.values.get("distribution", ""), r.ratio, r.target, verdict]))
    return "\n".join(out)


# ----------------------------------------------------------------------------------------------
# Chart: one small panel per measure, bars scaled to the panel's largest value, the value written
# on each bar, the target drawn as a dashed line where there is one. Bars are (group, server,
# value, label); the cold panels group Stevedore and distribution by link.

def _panels(results):
    panels = []
    warm = results.get("warm", {})

    def wrk_panel(key, title, value_of, unit, fmt, factor):
        measured = warm.get(key)
        if not measured:
            return
        bars = []
        for server in SERVERS:
            w = measured.get(server)
            if w is not None and not _wrk_failed(w):
                bars.append((TITLES[server], server, value_of(w), fmt(value_of(w))))
        nginx = measured.get("nginx")
        target = None
        if nginx is not None and not _wrk_failed(nginx):
            target = (value_of(nginx) * factor, "target %g× nginx" % factor)
        panels.append({"title": title, "subtitle": "%s, higher is better" % unit, "bars": bars,
                       "target": target})

    wrk_panel("blob_1", "warm blob, 1 client", _gib_s, "GiB/s", lambda v: "%.2f" % v, 0.95)
    wrk_panel("blob_16", "warm blob, 16 clients", _gib_s, "GiB/s", lambda v: "%.2f" % v, 0.95)
    wrk_panel("manifest_digest_32", "warm manifest by digest, 32 clients", _req_s, "req/s",
              lambda v: "{:,.0f}".format(v), 0.5)

    cold = results.get("cold", {})
    if cold:
        image_bytes = results["image"]["total_bytes"]
        times, volumes, clients = [], [], "N"
        for variant in cold.values():
            for server in ("stevedore", "distribution"):
                figures = cold_figures(variant.get(server), image_bytes)
                waves = cold_samples(variant.get(server), "wave")
                if waves:
                    clients = waves[0]["clients"]
                if figures["wave_over_single"]:
                    ratio = figures["wave_over_single"]["median"]
                    times.append((variant["label"], server, ratio, "%.2f×" % ratio))
                if figures["wave_upstream_bytes_over_image"]:
                    ratio = figures["wave_upstream_bytes_over_image"]["median"]
                    volumes.append((variant["label"], server, ratio, "%.2f×" % ratio))
        panels.append({"title": "cold %s-client wave: time ÷ 1 client alone (median)" % clients,
                       "subtitle": "×, lower is better", "bars": times,
                       "target": (1.5, "target 1.5×")})
        panels.append({"title": "cold %s-client wave: upstream bytes ÷ image" % clients,
                       "subtitle": "×, lower is better",
                       "bars": volumes, "target": (1.0, "one download")})
    rss = results.get("rss", {})
    bars = []
    for server in SERVERS:
        peak = max(rss.get(server, {}).values() or [0])
        if peak:
            bars.append((TITLES[server], server, peak / MIB, "%.0f MiB" % (peak / MIB)))
    if bars:
        panels.append({"title": "peak RSS", "subtitle": "MiB, largest instance, lower is better",
                       "bars": bars, "target": None})
    return panels


def svg_chart(results, title):
    panels = _panels(results)
    columns = 3
    pw, ph = 350, 260
    top = 70
    rows_n = (len(panels) + columns - 1) // columns
    width, height = columns * pw + 20, top + rows_n * ph + 20
    e = html.escape
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif">'
           % (width, height, width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="14" y="26" font-size="16" font-weight="bold">%s</text>' % e(title)]
    x = 14
    for server in SERVERS:
        out.append('<rect x="%d" y="40" width="12" height="12" fill="%s"/>' % (x, COLOURS[server]))
        out.append('<text x="%d" y="51" font-size="12">%s</text>' % (x + 16, TITLES[server]))
        x += 110
    out.append('<line x1="%d" y1="46" x2="%d" y2="46" stroke="#d62728" stroke-width="1.5" '
               'stroke-dasharray="6,3"/>' % (x, x + 24))
    out.append('<text x="%d" y="51" font-size="12">target</text>' % (x + 30))
    for i, panel in enumerate(panels):
        px = 10 + (i % columns) * pw
        py = top + (i // columns) * ph
        out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#ddd"/>'
                   % (px, py, pw - 10, ph - 10))
        out.append('<text x="%d" y="%d" font-size="13" font-weight="bold">%s</text>'
                   % (px + 8, py + 18, e(panel["title"])))
        subtitle = panel["subtitle"]
        if panel["target"]:
            subtitle += "; dashed: " + panel["target"][1]
        out.append('<text x="%d" y="%d" font-size="11" fill="#666">%s</text>'
                   % (px + 8, py + 33, e(subtitle)))
        base_y, plot_h = py + ph - 45, ph - 100
        values = [b[2] for b in panel["bars"]]
        if panel["target"]:
            values.append(panel["target"][0])
        scale_max = (max(values or [1]) * 1.1) or 1
        groups = []
        for group, server, value, label in panel["bars"]:
            if not groups or groups[-1][0] != group:
                groups.append((group, []))
            groups[-1][1].append((server, value, label))
        bar_w, gap = (60, 30) if all(len(g[1]) == 1 for g in groups) else (50, 40)
        bx = px + 30
        for group, bars in groups:
            group_x = bx
            for server, value, label in bars:
                h = max(1.0, plot_h * value / scale_max)
                out.append('<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="%s">'
                           '<title>%s: %s</title></rect>'
                           % (bx, base_y - h, bar_w, h, COLOURS[server], e(TITLES[server]),
                              e(label)))
                out.append('<text x="%d" y="%.1f" font-size="11" text-anchor="middle">%s</text>'
                           % (bx + bar_w / 2, base_y - h - 4, e(label)))
                bx += bar_w
            out.append('<text x="%d" y="%d" font-size="11" text-anchor="middle">%s</text>'
                       % ((group_x + bx) / 2, base_y + 15, e(group)))
            bx += gap
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>'
                   % (px + 20, base_y, px + pw - 30, base_y))
        if panel["target"]:
            value, label = panel["target"]
            ty = base_y - plot_h * value / scale_max
            out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#d62728" '
                       'stroke-width="1.5" stroke-dasharray="6,3"><title>%s</title></line>'
                       % (px + 20, ty, px + pw - 30, ty, e(label)))
    out.append("</svg>")
    return "\n".join(out) + "\n"
