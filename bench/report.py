"""The results as Markdown: ``bench/results.md`` and what ``make bench`` prints; the summary of bench/README.md.

The report knows no measurement by name: each gives a :class:`bench.common.Result` (its table, its checks against
targets, its notes), and the run adds the time each took beside its budget.
"""

import datetime
import os
import re

BENCH = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(BENCH, "results.md")
README = os.path.join(BENCH, "README.md")
BEGIN = "<!-- bench-summary: written by python -m bench from results.md; do not edit -->"
END = "<!-- /bench-summary -->"


def _cell(value):
    return str(value).replace("|", "\\|").replace("\n", " ")


def _load(values):
    return "/".join("%.2f" % v for v in values) if values else "unknown"


def table(columns, rows):
    lines = ["| " + " | ".join(_cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def summary_rows(results):
    rows = []
    for result in results:
        if result.error:
            rows.append([result.number, "(could not run)", result.error.splitlines()[0], "FAIL", result.error])
            continue
        for check in result.checks:
            rows.append([result.number, check.target, check.measured, check.verdict, check.why])
    return rows


def commit_line(measured):
    if measured.get("dirty") is None:
        state = "tree state unknown"
    elif measured["dirty"]:
        state = "**tree dirty**: %d path(s) changed or untracked (%s)" % (
            len(measured["changed"]), ", ".join(measured["changed"]))
    else:
        state = "tree clean"
    return "Commit measured: `%s` (%s)." % (measured["sha"], state)


def time_rows(results, run):
    rows = [[r.number, r.title, "%.0f s" % r.budget, "%.1f s" % r.seconds,
             "over" if r.seconds > r.budget else "within"] for r in results]
    rows.append(["", "the sandbox's start, the scratch area", "%d s" % run["startup_budget"],
                 "%.1f s" % (run["seconds"] - sum(r.seconds for r in results)), ""])
    return rows


def run_check(run):
    """The run's own target: make bench within its budget (a full run only)."""
    within = run["seconds"] <= run["budget"]
    return ["all", "make bench within %d minutes on 2 cores" % (run["budget"] // 60),
            "%.1f minutes" % (run["seconds"] / 60.0), "PASS" if within else "FAIL",
            "" if within else "see the time table: each measurement's seconds beside its budget"]


def render(results, machine, versions, run):
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = ["# Benchmark results", ""]
    if run["quick"]:
        out += ["**Quick run** (smaller sizes, fewer repetitions): not the figures of record.", ""]
    if run["full"] and run["seconds"] > run["budget"]:
        out += ["**Over the time budget**: this run took %.1f minutes, more than the %d minutes make bench may take."
                % (run["seconds"] / 60.0, run["budget"] // 60), ""]
    out += [
        "Written by `%s` on %s; the whole run took %.1f minutes." % (run["command"], when, run["seconds"] / 60.0),
        "",
        commit_line(run["commit"]),
        "",
        "Machine: %s CPUs (%s usable), %s; %s. Load average (1, 5, 15 min) before the run %s, after it %s: other "
        "work on the machine shows there and widens the timings." % (
            machine["cpus"], machine["usable_cpus"], machine["cpu_model"], machine["platform"],
            _load(machine.get("load_before")), _load(machine.get("load_after"))),
        "",
        "Versions: " + ", ".join("%s %s" % item for item in versions.items()) + ".",
        "",
        "Everything runs against the local sandbox (`sandbox/`, started by the run on 127.0.0.1), reset before "
        "each measurement. Request counts are the sandbox's counters; times are wall-clock medians unless stated.",
        "",
        "## Targets",
        "",
    ]
    rows = summary_rows(results)
    if run["full"]:
        rows.append(run_check(run))
    out += [table(["#", "target", "measured", "result", "what bounds it / notes"], rows), "",
            "## Time", "",
            table(["#", "measurement", "budget", "took", "vs budget"], time_rows(results, run)), ""]
    for result in results:
        out += ["## %d. %s" % (result.number, result.title), ""]
        if result.error:
            out += ["Could not run: %s" % result.error, ""]
            continue
        out += [table(result.columns, result.rows), ""]
        for note in result.notes:
            out += ["- " + note]
        out += ["- Took %.1f s (budget %.0f s)." % (result.seconds, result.budget), ""]
    return "\n".join(out).rstrip() + "\n"


# -- bench/README.md's summary, copied from results.md ----------------------------------------------------------

def _split_row(line):
    cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
    return [c.strip() for c in cells]


def summary(results_text):
    """The block bench/README.md shows: results.md's header lines and its targets table without the notes column."""
    lines = results_text.splitlines()
    header = [line for line in lines if line.startswith(("Written by", "Commit measured", "**Quick", "**Over"))]
    start = next(i for i, line in enumerate(lines) if line.startswith("## Targets"))
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("|"):
            rows.append(_split_row(line))
        elif rows:
            break
    columns, body = rows[0][:4], [row[:4] for row in rows[2:]]
    out = [BEGIN, "", "From [results.md](results.md), the last full run. " + " ".join(header), "",
           "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    out += ["| " + " | ".join(row) + " |" for row in body]
    out += ["", "What bounds each target not met, measured: the last column of [results.md](results.md)'s targets "
                "table and its sections.", "", END]
    return "\n".join(out)


def readme_block(readme_text):
    """The summary block as bench/README.md has it (None when its markers are missing)."""
    begin, end = readme_text.find(BEGIN), readme_text.find(END)
    if begin < 0 or end < begin:
        return None
    return readme_text[begin:end + len(END)]


def rewrite_summary(results=RESULTS, readme=README):
    """Write results.md's summary between the markers of bench/README.md; its path."""
    with open(results) as handle:
        block = summary(handle.read())
    with open(readme) as handle:
        text = handle.read()
    old = readme_block(text)
    if old is None:
        raise RuntimeError("%s has no summary markers (%s ... %s)" % (readme, BEGIN, END))
    with open(readme, "w") as handle:
        handle.write(text.replace(old, block))
    return readme
