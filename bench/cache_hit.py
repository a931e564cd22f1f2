"""Measurement 2: the lookup answered from its cache, in-process, 10,000 times.

A first fresh interpreter evaluates the lookup once (a miss: the exchange fills the cache); a
second fresh interpreter evaluates ``{{ lookup('multicloud.oci_aws.oci_aws_creds') }}`` through
Ansible's Templar 10,000 times (``probe_cache_hit``). The lookup's own time is what Ansible spends
in the plugin for each evaluation: ``lookup_loader.get`` (a new plugin object, options
definitions cached by then) plus ``run`` (options, cache key, cache file read and checks); the
whole template evaluation (Jinja included) is shown beside it. The sandbox counters prove that
the 10,000 evaluations made no request, and the probe reports whether boto3, botocore or oci
were imported. Then ``probe_worker_cost`` evaluates it once in each of 25 forked workers, as a
play's task does (Ansible loads the plugin again in every worker), beside a builtin lookup: the
per-evaluation cost a play pays, stated beside the in-process figure.
"""

from bench.common import Result, fmt_ms, median, percentile

EVALUATIONS = 10000
QUICK_EVALUATIONS = 2000
TARGET_MEDIAN = 0.001
FORBIDDEN = ("boto3", "botocore", "oci")
WORKER_FORKS = 25  # fresh workers, one evaluation each (bench/probe_worker_cost.py)


def _module_names(names):
    """The collection's Python modules (not packages) the process imported, by their short name."""
    prefix = "ansible_collections.multicloud.oci_aws.plugins."
    leaves = [n[len(prefix):] for n in names if n.startswith(prefix) and n.count(".") > prefix.count(".")]
    return ", ".join(sorted(leaves)) or "none"


def run(ctx):
    evaluations = QUICK_EVALUATIONS if ctx.quick else EVALUATIONS
    result = Result(2, "Cache hit: the lookup's own time, %d evaluations in one process, one in each fresh worker"
                    % evaluations,
                    ["what", "median", "p99", "max"])
    federation = ctx.fresh_federation()
    probe = {"collections": ctx.collections, "evaluations": evaluations,
             "env": dict(federation.lookup_env(), OCI_ANSIBLE_CERT_BUNDLE=ctx.sandbox.ca_bundle,
                         OCI_AWS_CREDS_CACHE_DIR=ctx.directory("cache-hit-cache"))}
    ctx.sandbox.reset_counters()
    ctx.run_probe("probe_cache_hit", dict(probe, mode="prime"))
    primed = ctx.counts()
    ctx.sandbox.reset_counters()
    measured = ctx.run_probe("probe_cache_hit", dict(probe, mode="measure"))
    after = ctx.counts()
    # What a play's task pays: one evaluation in a fresh forked worker, where Ansible loads the plugin again.
    worker = ctx.run_probe("probe_worker_cost", dict(probe, forks=WORKER_FORKS))
    cold, builtin = worker["cold"], worker["builtin"]
    own, total, run_ = measured["own"], measured["total"], measured["run"]
    for what, values in (("the lookup's own time (lookup_loader.get + run)", own),
                         ("of which run()", run_),
                         ("the whole template evaluation (Jinja included)", total)):
        result.rows.append([what, fmt_ms(median(values)), fmt_ms(percentile(values, 99)), fmt_ms(max(values))])
    fresh = "one evaluation in a fresh worker (median of %d forks), plugin not loaded before" % WORKER_FORKS
    for what, cost in ((fresh, cold),
                       ("of which Ansible loading the plugin (lookup_loader.get)", {"total": cold["get"]}),
                       ("of which run()", {"total": cold["run"]}),
                       ("ansible.builtin.env in a fresh worker, the same way", builtin)):
        result.rows.append([what, fmt_ms(cost["total"]), "-", "-"])
    requests = sum(after[c]["kinds"].get(k, 0) for c in after for k in after[c]["kinds"])
    heavy = [m for m in measured["heavy_modules"] if m in FORBIDDEN]
    result.notes.append(
        "Priming (one miss, another process): %d token request(s), %d STS call(s). During the %d hits: %d request(s) "
        "to either cloud. First evaluation in the measuring process (plugin loaded, documentation parsed): %s. "
        "Collection modules the hits imported: %s."
        % (primed["oci"]["kinds"].get("token", 0), primed["aws"]["kinds"].get("sts", 0), evaluations, requests,
           fmt_ms(measured["first"]), _module_names(measured["collection_modules"])))
    med = median(own)
    problems = []
    if med >= TARGET_MEDIAN:
        problems.append("the lookup's run() takes %s of it" % fmt_ms(median(run_)))
    if requests:
        problems.append("the hits made %d request(s): the cache did not answer" % requests)
    if not measured["answer_shape_ok"]:
        problems.append("the answer is not credentials")
    result.check("median under 1 ms in-process; per evaluation in a fresh worker stated beside it",
                 "in-process %s (p99 %s); in a fresh worker %s, of which loading the plugin %s (a builtin lookup: %s)"
                 % (fmt_ms(med), fmt_ms(percentile(own, 99)), fmt_ms(cold["total"]), fmt_ms(cold["get"]),
                    fmt_ms(builtin["total"])), not problems,
                 "; ".join(problems) or "the target is in-process; a play's task pays the fresh worker's figure "
                 "(Ansible forks a worker per host and task, and each loads the plugin again)")
    result.check("neither boto3 nor oci imported (sys.modules of the fresh process)",
                 "imported: %s" % (", ".join(heavy) or "none of boto3, botocore, oci"), not heavy)
    return result
