"""bench/'s report: results.md rendered from any measurement's Result, and bench/README.md's summary copied from
results.md (checked here, so that the README cannot keep figures results.md no longer has)."""

import sys

import pytest

from conftest import ROOT

if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from bench import report  # noqa: E402  # pylint: disable=wrong-import-position
from bench.__main__ import MEASUREMENTS, RUN_BUDGET, parse_args  # noqa: E402  # pylint: disable=wrong-import-position
from bench.common import Result  # noqa: E402  # pylint: disable=wrong-import-position

MACHINE = {"cpus": 2, "usable_cpus": 2, "cpu_model": "CPU", "platform": "Linux", "load_before": (1.0, 2.0, 3.0),
           "load_after": (1.5, 2.5, 3.5)}
VERSIONS = {"Python": "3.11.7", "ansible-core": "2.19.14"}


def _run(seconds=100.0, dirty=False, full=True):
    return {"command": "make bench", "seconds": seconds, "quick": not full, "full": full, "budget": RUN_BUDGET,
            "startup_budget": 15,
            "commit": {"sha": "0123abc", "dirty": dirty, "changed": ["bench/common.py"] if dirty else []}}


def _results():
    new = Result(9, "A new measurement", ["what", "value"], rows=[["x", "1.0 s"]], notes=["a note of its own"])
    new.check("x under 2 s", "1.0 s", True)
    new.check("y under 1 s", "3.0 s", False, "bounded by y")
    new.seconds, new.budget = 70.0, 60.0
    broken = Result(10, "Broken", [], error="the sandbox went away\nmore")
    broken.seconds, broken.budget = 1.0, 5.0
    return [new, broken]


def test_readme_summary_is_results_md_s():
    """bench/README.md's summary block is exactly what bench/results.md gives (`python -m bench --summary`)."""
    with open(report.RESULTS) as handle:
        expected = report.summary(handle.read())
    with open(report.README) as handle:
        found = report.readme_block(handle.read())
    assert found is not None, "bench/README.md lost its summary markers"
    assert found == expected, "bench/README.md's summary differs from results.md: run python -m bench --summary"


def test_summary_follows_every_figure_of_the_targets_table(tmp_path):
    """A figure changed in results.md changes the block, and rewrite_summary puts it in the README."""
    with open(report.RESULTS) as handle:
        text = handle.read()
    results = tmp_path / "results.md"
    readme = tmp_path / "README.md"
    changed = text.replace("| PASS |", "| FAIL |", 1)
    assert changed != text
    results.write_text(changed)
    readme.write_text("before\n%s\n%s\nafter\n" % (report.BEGIN, report.END))
    report.rewrite_summary(str(results), str(readme))
    block = report.readme_block(readme.read_text())
    assert block == report.summary(changed) != report.summary(text)
    assert readme.read_text().startswith("before\n") and readme.read_text().endswith("\nafter\n")


def test_render_takes_any_measurement():
    """A measurement the report has never heard of: its targets, time, section and notes are all rendered."""
    text = report.render(_results(), MACHINE, VERSIONS, _run())
    assert "| 9 | x under 2 s | 1.0 s | PASS |  |" in text
    assert "| 9 | y under 1 s | 3.0 s | FAIL | bounded by y |" in text
    assert "| 10 | (could not run) | the sandbox went away | FAIL |" in text
    assert "## 9. A new measurement" in text and "- a note of its own" in text and "| x | 1.0 s |" in text
    assert "| 9 | A new measurement | 60 s | 70.0 s | over |" in text
    assert "| 10 | Broken | 5 s | 1.0 s | within |" in text
    assert "Commit measured: `0123abc` (tree clean)." in text
    assert "| all | make bench within 15 minutes on 2 cores | 1.7 minutes | PASS |" in text
    assert "Over the time budget" not in text
    assert "load_before" not in text and "1.00/2.00/3.00" in text and "ansible-core 2.19.14" in text


def test_render_says_when_the_run_is_over_its_budget_or_the_tree_dirty():
    text = report.render(_results(), MACHINE, VERSIONS, _run(seconds=RUN_BUDGET + 60.0, dirty=True))
    assert text.splitlines()[2].startswith("**Over the time budget**: this run took 16.0 minutes")
    assert "**tree dirty**: 1 path(s) changed or untracked (bench/common.py)" in text
    assert "| all | make bench within 15 minutes on 2 cores | 16.0 minutes | FAIL |" in text
    summary = report.summary(text)
    assert "**Over the time budget**" in summary and "**tree dirty**" in summary


def test_a_quick_run_has_no_budget_row():
    text = report.render(_results(), MACHINE, VERSIONS, _run(full=False))
    assert "**Quick run**" in text and "| all |" not in text


def test_every_measurement_declares_its_budget_within_the_run_s():
    full = sum(m.seconds for m in MEASUREMENTS.values())
    assert all(m.seconds > 0 and m.quick_seconds > 0 for m in MEASUREMENTS.values())
    assert full <= RUN_BUDGET, "the declared budgets add up to %d s, over make bench's %d s" % (full, RUN_BUDGET)


def test_only_names_the_measurements_it_knows(capsys):
    assert parse_args(["--only", "2,1"]).numbers == [1, 2]
    with pytest.raises(SystemExit):
        parse_args(["--only", "99"])
    assert "no measurement 99" in capsys.readouterr().err
