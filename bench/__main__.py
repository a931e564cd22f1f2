"""``python -m bench`` (``make bench``): start a sandbox, run the five measurements, print and write the results.

    python -m bench            every measurement at full size; writes bench/results.md
    python -m bench --quick    smaller sizes and fewer repetitions; writes bench/output/results-quick.md
    python -m bench --only 2,3 some measurements; writes bench/output/results-partial.md
    --keep                     keep the scratch directory (sandbox files, homes, playbooks) for inspection
    --strict                   exit 1 when a target fails (by default only when a measurement cannot run)
"""

import argparse
import os
import sys
import time
import traceback

from bench import cache_hit, cold_exchange, fanout, growth, process_cache, rerun
from bench.common import BENCH, OUTPUT, Context, Result, machine, versions
from bench.report import render

MEASUREMENTS = {1: fanout, 2: cache_hit, 3: cold_exchange, 4: rerun, 5: growth, 6: process_cache}


def _verdict(result):
    if result.error:
        return "could not run"
    if not result.available:
        return "not available in this checkout"
    return "PASS" if result.passed else "FAIL"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repetitions")
    parser.add_argument("--only", help="comma-separated measurement numbers (1-5)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args(argv)
    args.numbers = sorted(MEASUREMENTS) if not args.only else sorted(int(n) for n in args.only.split(","))
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()
    load_before = os.getloadavg()
    ctx = Context(quick=args.quick, keep=args.keep)
    results = []
    try:
        ctx.log("starting the sandbox")
        ctx.start_sandbox()
        for number in args.numbers:
            module = MEASUREMENTS[number]
            ctx.log("measurement %d (%s)" % (number, module.__name__.split(".")[-1]))
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
            ctx.log("measurement %d: %s in %.1f s" % (
                number, _verdict(result), result.seconds))
            results.append(result)
    finally:
        if args.keep:
            ctx.log("scratch kept in %s" % ctx.scratch)
        ctx.close()
    elapsed = time.monotonic() - started
    command = "make bench" if not (args.quick or args.only) else "python -m bench " + " ".join(sys.argv[1:])
    host = dict(machine(), load_before=load_before, load_after=os.getloadavg())
    text = render(results, host, versions(), elapsed, command, quick=args.quick)
    if args.quick:
        path = os.path.join(OUTPUT, "results-quick.md")
    elif args.only:
        path = os.path.join(OUTPUT, "results-partial.md")
    else:
        path = os.path.join(BENCH, "results.md")
    with open(path, "w") as handle:
        handle.write(text)
    sys.stdout.write(text)
    sys.stdout.write("\nwritten to %s in %.1f minutes\n" % (os.path.relpath(path), elapsed / 60.0))
    if any(r.error for r in results):
        return 1
    if args.strict and not all(r.passed for r in results):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
