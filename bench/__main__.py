"""``python -m bench`` (``make bench``): start a sandbox, run the measurements, print and write the results.

    python -m bench            every measurement at full size; writes bench/results.md and bench/README.md's summary
    python -m bench --quick    smaller sizes and fewer repetitions; writes bench/output/results-quick.md
    python -m bench --only 2,3 some measurements; writes bench/output/results-partial.md
    --keep                     keep the scratch directory (sandbox files, homes, playbooks) for inspection
    --strict                   exit 1 when a target fails (by default only when a measurement cannot run)
    --summary                  only rewrite bench/README.md's summary from bench/results.md (no measurement)

A measurement is a module with ``run(ctx) -> Result`` and one line in MEASUREMENTS: its number, the module and the
seconds it is expected to take at full size and with --quick (the run prints and records each one's time beside
it; the whole of ``make bench`` must stay within RUN_BUDGET on 2 cores).
"""

import argparse
import collections
import os
import sys
import time
import traceback

from bench import cache_hit, cold_exchange, fanout, growth, process_cache, rerun, throttle
from bench.common import BENCH, OUTPUT, Context, Result, commit, machine, versions
from bench.report import render, rewrite_summary

Measurement = collections.namedtuple("Measurement", "module seconds quick_seconds")

# number: (module, expected seconds at full size, expected seconds with --quick), on 2 cores.
MEASUREMENTS = {
    1: Measurement(fanout, 390, 105),
    2: Measurement(cache_hit, 20, 15),
    3: Measurement(cold_exchange, 20, 15),
    4: Measurement(rerun, 35, 35),
    5: Measurement(growth, 110, 35),
    6: Measurement(process_cache, 60, 30),
    7: Measurement(throttle, 180, 60),
}
RUN_BUDGET = 15 * 60  # seconds: the whole of make bench, on 2 cores
STARTUP_SECONDS = 15  # the sandbox's start and the scratch area, outside every measurement


def _verdict(result):
    if result.error:
        return "could not run"
    if not result.available:
        return "not available in this checkout"
    return "PASS" if result.passed else "FAIL"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repetitions")
    parser.add_argument("--only", help="comma-separated measurement numbers (%s)" % ", ".join(map(str, MEASUREMENTS)))
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--summary", action="store_true",
                        help="only rewrite bench/README.md's summary from bench/results.md")
    args = parser.parse_args(argv)
    try:
        args.numbers = sorted(MEASUREMENTS) if not args.only else sorted(int(n) for n in args.only.split(","))
    except ValueError:
        parser.error("--only takes measurement numbers separated by commas, for example --only 2,3")
    unknown = [n for n in args.numbers if n not in MEASUREMENTS]
    if unknown:
        parser.error("--only: no measurement %s (there are %s)" % (
            ", ".join(map(str, unknown)), ", ".join(map(str, MEASUREMENTS))))
    return args


def expected(number, quick):
    declared = MEASUREMENTS[number]
    return declared.quick_seconds if quick else declared.seconds


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.summary:
        path = rewrite_summary()
        sys.stdout.write("rewrote the summary in %s from bench/results.md\n" % os.path.relpath(path))
        return 0
    started = time.monotonic()
    load_before = os.getloadavg()
    measured = commit()  # before the run writes anything
    budget = STARTUP_SECONDS + sum(expected(n, args.quick) for n in args.numbers)
    ctx = Context(quick=args.quick, keep=args.keep)
    ctx.log("measurements %s, expected %.0f s in all (%.1f minutes)" % (
        ",".join(map(str, args.numbers)), budget, budget / 60.0))
    if budget > RUN_BUDGET:
        ctx.log("WARNING: the declared budgets add up to more than %d minutes" % (RUN_BUDGET // 60))
    results = []
    try:
        ctx.log("starting the sandbox")
        ctx.start_sandbox()
        for number in args.numbers:
            module = MEASUREMENTS[number].module
            ctx.log("measurement %d (%s), expected %d s" % (
                number, module.__name__.split(".")[-1], expected(number, args.quick)))
            began = time.monotonic()
            try:
                result = module.run(ctx)
            except Exception as exc:  # pylint: disable=broad-except
                # One measurement that cannot run must not hide the others' figures.
                title = module.__doc__.splitlines()[0].rstrip(".").split(": ", 1)[-1]
                result = Result(number, title[:1].upper() + title[1:], [], error="%s" % exc)
                with open(os.path.join(ctx.logs, "measurement-%d.traceback" % number), "w") as handle:
                    traceback.print_exc(file=handle)
            result.seconds = time.monotonic() - began
            result.budget = expected(number, args.quick)
            ctx.log("measurement %d: %s in %.1f s (expected %d s)%s" % (
                number, _verdict(result), result.seconds, result.budget,
                ": OVER ITS BUDGET" if result.seconds > result.budget else ""))
            results.append(result)
    finally:
        if args.keep:
            ctx.log("scratch kept in %s" % ctx.scratch)
        ctx.close()
    elapsed = time.monotonic() - started
    command = "make bench" if not (args.quick or args.only) else "python -m bench " + " ".join(
        sys.argv[1:] if argv is None else argv)
    host = dict(machine(), load_before=load_before, load_after=os.getloadavg())
    run = {"command": command, "seconds": elapsed, "commit": measured, "quick": args.quick,
           "full": not (args.quick or args.only), "budget": RUN_BUDGET, "startup_budget": STARTUP_SECONDS}
    text = render(results, host, versions(), run)
    if args.quick:
        path = os.path.join(OUTPUT, "results-quick.md")
    elif args.only:
        path = os.path.join(OUTPUT, "results-partial.md")
    else:
        path = os.path.join(BENCH, "results.md")
    with open(path, "w") as handle:
        handle.write(text)
    sys.stdout.write(text)
    if run["full"]:
        rewrite_summary()
        sys.stdout.write("\nbench/README.md's summary rewritten from it\n")
    sys.stdout.write("\nwritten to %s in %.1f minutes\n" % (os.path.relpath(path), elapsed / 60.0))
    if any(r.error for r in results):
        return 1
    if args.strict and not all(r.passed for r in results):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
