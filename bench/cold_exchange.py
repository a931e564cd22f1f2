"""Measurement 3: the collection's exchange against the same two raw requests, in one process, alternating.

See ``probe_exchange`` for what each side does and why the comparison is fair. The ratio is of
the medians (module / raw) over the measured pairs; each side's time is split into the token
request's round trip, the STS API call (botocore, from serialising to parsing) and the rest
(option checks, the token's preflight, the STS client's creation, the answer's conversion), of which
the time the module spends making a botocore session is shown apart (since the one-session change, one boto3
session per process serves its unsigned STS clients: the column shows 0 after the first exchange).
"""

from bench.common import Result, fmt_ms, median

PAIRS = 50
QUICK_PAIRS = 10
WARMUP = 2
# Issue 17 section 3: after the one-session change, the module's exchange within 2 % of the two raw requests.
TARGET_RATIO = 1.02


def run(ctx):
    pairs = QUICK_PAIRS if ctx.quick else PAIRS
    result = Result(3, "Cold exchange: the module's exchange vs raw requests + boto3, %d pairs" % pairs,
                    ["side", "total (median)", "token request", "STS call", "the rest",
                     "of which making a botocore session",
                     "min", "max"])
    federation = ctx.fresh_federation()
    ctx.sandbox.reset_counters()
    measured = ctx.run_probe("probe_exchange", {
        "federation": federation.options(), "ca_bundle": ctx.sandbox.ca_bundle,
        "aws_endpoint": ctx.sandbox.aws_endpoint, "region": ctx.sandbox.env["AWS_DEFAULT_REGION"],
        "pairs": pairs, "warmup": WARMUP, "env": {}, "what_if": True,
    })
    counts = ctx.counts()
    medians = {}
    sides = ["module", "raw"] + sorted(set(measured["samples"]) - {"module", "raw"})
    for side in sides:
        samples = measured["samples"][side]
        rest = [t - a - b for t, a, b in zip(samples["total"], samples["token"], samples["sts"])]
        medians[side] = median(samples["total"])
        result.rows.append([side, fmt_ms(medians[side]), fmt_ms(median(samples["token"])),
                            fmt_ms(median(samples["sts"])), fmt_ms(median(rest)),
                            fmt_ms(median(samples["session"])) if side != "raw" else "- (default session, once)",
                            fmt_ms(min(samples["total"])),
                            fmt_ms(max(samples["total"]))])
    ratio = medians["module"] / medians["raw"]
    module, raw = measured["samples"]["module"], measured["samples"]["raw"]
    extra = medians["module"] - medians["raw"]
    session = median(module["session"])
    exchanges = (pairs + WARMUP) * len(sides)
    tokens, sts = counts["oci"]["kinds"].get("token", 0), counts["aws"]["kinds"].get("sts", 0)
    result.notes.append(
        "Both sides: TLS verified against the sandbox CA, a new connection per request, a new STS client per exchange, "
        "botocore's service models loaded once per process, botocore retries off. %d warm-up pairs excluded from both; "
        "the order of the sides rotates from one pair to the next. The sandbox counted %d token requests and %d STS "
        "calls for %d exchanges." % (WARMUP, tokens, sts, exchanges))
    result.notes.append(
        "The module's exchange takes %s more than the raw requests (median). Making a botocore session costs it %s "
        "per exchange (median): its unsigned STS clients come from one boto3 session kept for the process, as "
        "boto3.client() uses the process's default session. The rest is option checks, the token's preflight and "
        "the answer's conversion. Most of either side is the sandbox: its STS fetches the domain's discovery document "
        "and JWKS over TLS on every call." % (fmt_ms(extra), fmt_ms(session)))
    what_if = [side for side in sides if side not in ("module", "raw")]
    if what_if:
        result.notes.append(
            "What-if, measured in the same alternation: the module's exchange with one botocore session kept for the "
            "process gives a ratio of %.3f." % (medians[what_if[0]] / medians["raw"]))
    exact = tokens == exchanges and sts == exchanges
    why = ""
    if ratio > TARGET_RATIO:
        why = ("the module's own work: %s more per exchange (the rest: %s against %s), of which %s making a botocore "
               "session" % (fmt_ms(extra), fmt_ms(median([t - a - b for t, a, b in zip(
                   module["total"], module["token"], module["sts"])])), fmt_ms(median([t - a - b for t, a, b in zip(
                       raw["total"], raw["token"], raw["sts"])])), fmt_ms(session)))
        if what_if:
            why += "; with one session kept for the process the ratio is %.3f" % (medians[what_if[0]] / medians["raw"])
    elif not exact:
        why = "the sandbox counted more requests than exchanges: a retry happened (see bench/output/logs)"
    result.check("ratio at most %.2f (median module / median raw)" % TARGET_RATIO, "%.3f (%s / %s)" % (
        ratio, fmt_ms(medians["module"]), fmt_ms(medians["raw"])), ratio <= TARGET_RATIO and exact, why)
    return result
