"""The results as Markdown: ``bench/results.md`` and what ``make bench`` prints."""

import datetime


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


def render(results, machine, versions, seconds, command, quick=False):
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = ["# Benchmark results", ""]
    if quick:
        out += ["**Quick run** (smaller sizes, fewer repetitions): not the figures of record.", ""]
    out += [
        "Written by `%s` on %s; the whole run took %.1f minutes." % (command, when, seconds / 60.0),
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
        "## Targets (issue 8)",
        "",
        table(["#", "target", "measured", "result", "what bounds it / notes"], summary_rows(results)),
        "",
    ]
    for result in results:
        out += ["## %d. %s" % (result.number, result.title), ""]
        if result.error:
            out += ["Could not run: %s" % result.error, ""]
            continue
        out += [table(result.columns, result.rows), ""]
        for note in result.notes:
            out += ["- " + note]
        out += ["- Took %.1f s." % result.seconds, ""]
    return "\n".join(out).rstrip() + "\n"
