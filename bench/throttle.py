"""Measurement 7: a throttled fleet, N hosts running oci_aws_assume once against an STS limited to a set rate.

Issue 17 §2: 300 hosts (local connection) each run ``multicloud.oci_aws.oci_aws_assume`` once
(``tests/e2e/throttle_support.PLAYBOOK``, options from the environment) while the sandbox's STS
answers as real STS throttles (``sts_rate_limit``: 400 ``Throttling`` "Rate exceeded", no
``Retry-After``) above RATE calls a second. Targets: every host succeeds; the run takes close to
N / RATE (the ratio is reported); the retries do not synchronise, read from the sandbox's timeline of
STS calls (``rate_limited.events``): requests per 100 ms bucket, the busiest bucket beside the mean.
"""

from bench.common import Result
import os
import re

from bench.common import ROOT


def _constant(name):
    """A number of plugins/module_utils/_retry.py, read from its source (the bench does not import the collection)."""
    with open(os.path.join(ROOT, "plugins", "module_utils", "_retry.py")) as handle:
        return float(re.search(r"^%s = ([0-9.]+)$" % name, handle.read(), re.M).group(1))


DEFAULT_TIMEOUT, DEFAULT_THROTTLING_TIMEOUT, THROTTLED_BASE_DELAY, THROTTLED_MAX_DELAY = (
    _constant(n) for n in ("DEFAULT_TIMEOUT", "DEFAULT_THROTTLING_TIMEOUT", "THROTTLED_BASE_DELAY", "THROTTLED_MAX_DELAY"))
from e2e.throttle_support import Timeline, hosts_ok, write

HOSTS = 300
QUICK_HOSTS = 60
RATE = 2.5  # STS calls a second: 300 hosts need at least 120 s, above what the machine takes unthrottled
BURST = 1
FORKS = 20
# Wall time within 35 % of N / RATE. Not 25 %: the bucket keeps no queue, so after each admission it refills and
# then waits about 1 / (requests a second) for the next request, and the run takes at least N / RATE x (1 + RATE /
# requests a second). 20 forks polling with a 4 s cap send about 13 requests a second (the run of 2026-12-02 00:57:
# 1841 in a 137 s span, 6 a host), so 1.19x on STS's span (measured: 1.17x), plus Ansible's start and the last
# host's recap (about 10 s): 1.26x measured, the expectation, not a bound. 1.25x would need about twice the
# requests (a 2 s cap: 9 a host, 1.14x by a simulation of this set-up), more load on a service that is throttling;
# botocore's 20 s cap (3.6 a host) gives about 1.5x by the same simulation, and fails this target.
RATIO_TARGET = 1.35
# Lockstep retries of FORKS hosts refused at once would come back in the same bucket: the busiest 100 ms bucket
# must hold fewer than half of the forks.
LOCKSTEP = FORKS // 2


def run(ctx):
    result = Result(7, "Throttled fleet: oci_aws_assume on N hosts with STS limited to a rate",
                    ["N", "forks", "STS rate", "hosts ok", "STS calls admitted / throttled", "wall", "N / rate",
                     "wall / (N / rate)", "STS span / ((N - burst) / rate)", "busiest 100 ms bucket",
                     "mean non-empty bucket", "top 10 % buckets' share"])
    hosts = QUICK_HOSTS if ctx.quick else HOSTS
    federation = ctx.fresh_federation()
    ctx.sandbox.configure(aws={"sts_rate_limit": {"per_second": RATE, "burst": BURST}})
    try:
        directory = ctx.directory("throttle")
        playbook, inventory = write(directory, hosts)
        env = ctx.ansible_env(ctx.directory("throttle-home"), ANSIBLE_FORKS=str(FORKS), **federation.lookup_env())
        ctx.sandbox.reset_counters()
        done, seconds = ctx.ansible_playbook(env, playbook, inventory, log_name="throttle-%d" % hosts)
        timeline = Timeline(ctx.sandbox.counters())
    finally:
        ctx.sandbox.configure(aws={"sts_rate_limit": None})
    # What Ansible alone feeds on this machine now: the same play, unthrottled, on a fifth of the fleet.
    baseline_hosts = max(10, hosts // 10)
    playbook, inventory = write(directory, baseline_hosts)
    base, base_seconds = ctx.ansible_playbook(env, playbook, inventory, log_name="throttle-baseline-%d" % baseline_hosts)
    if hosts_ok(base.stdout) != baseline_hosts:
        raise RuntimeError("the unthrottled baseline failed: see bench/output/logs/throttle-baseline-*.log")
    fed = baseline_hosts / base_seconds
    # The binding floor: the rate, or what the machine feeds when that is slower (a loaded 2-core machine).
    floor = hosts / RATE
    bound = max(floor, hosts / fed)
    bound_ratio = seconds / bound
    ok = hosts_ok(done.stdout)
    ratio = seconds / floor
    span_ratio = timeline.span / ((hosts - BURST) / RATE)
    biggest, mean, top = timeline.burstiness()
    result.rows.append([hosts, FORKS, "%g/s (burst %d)" % (RATE, BURST), "%d/%d" % (ok, hosts),
                        "%d / %d" % (timeline.admitted, timeline.throttled), "%.1f s" % seconds, "%.1f s" % floor,
                        "%.2f" % ratio, "%.2f" % span_ratio, biggest, "%.2f" % mean, "%.0f%%" % (100 * top)])
    result.check("every host succeeds (%d hosts)" % hosts, "%d/%d ok, rc %d" % (ok, hosts, done.returncode),
                 ok == hosts and done.returncode == 0, "" if ok == hosts else "see bench/output/logs/throttle-*.log")
    result.check("total time close to N / rate, or to what the machine feeds when slower (within %d%%)"
                 % round(100 * (RATIO_TARGET - 1)),
                 "%.1f s for max(N / rate %.1f s, N / unthrottled feed %.1f s): %.2fx (%.2fx N / rate)"
                 % (seconds, floor, hosts / fed, bound_ratio, ratio), bound_ratio <= RATIO_TARGET,
                 "" if bound_ratio <= RATIO_TARGET else "STS's span %.2fx of (N - burst) / rate: a host refused waits "
                 "up to %g s, and the bucket refills unused meanwhile" % (span_ratio, THROTTLED_MAX_DELAY))
    result.check("retries not synchronised (busiest 100 ms bucket < %d calls)" % LOCKSTEP,
                 "busiest %d, mean %.2f over non-empty buckets" % (biggest, mean), biggest < LOCKSTEP)
    requests = timeline.admitted + timeline.throttled
    per_second = requests / timeline.span if timeline.span else 0.0
    contended = per_second > 2 * RATE
    result.notes.append(
        "STS got %.1f requests a second (%.1f a host). %s" % (per_second, requests / float(hosts), (
            "The bucket keeps no queue: after each admission it refills in 1 / rate s, then waits about 1 / (requests "
            "a second) for the next request, so while hosts wait, the run cannot take less than N / rate x (1 + rate / "
            "requests a second) = %.1f s (%.2fx N / rate); fewer requests (a longer cap) lengthen it, more shorten it."
            % (floor * (1 + RATE / per_second), 1 + RATE / per_second)) if contended else (
            "Less than twice the rate: the machine fed hosts no faster than STS admitted them, so few waited long.")))
    histogram = timeline.histogram()
    seconds_histogram = [sum(histogram[i:i + 10]) for i in range(0, len(histogram), 10)]
    result.notes.append(
        "Unthrottled, the same play on %d hosts took %.1f s: Ansible alone feeds %.1f hosts/s on this machine at this "
        "load (rate %g/s), so N / rate is %s bound." % (
            baseline_hosts, base_seconds, fed, RATE, "the" if fed > RATE else "not the (the machine is slower than the rate)"))
    result.notes.append(
        "STS calls per second over the run (admitted and throttled): %s. The busiest 100 ms bucket starts %.1f s after "
        "the first call. After the n-th throttled answer a host waits uniform(0, min(%g, %g x 2^(n-1))) s (full "
        "jitter), for at most the throttling_timeout option (%d s) on top of the timeout option (%d s); botocore's own "
        "retries are off (total_max_attempts 1), so every attempt is one request."
        % (" ".join(str(n) for n in seconds_histogram), timeline.busiest_at(), THROTTLED_MAX_DELAY, THROTTLED_BASE_DELAY,
           DEFAULT_THROTTLING_TIMEOUT, DEFAULT_TIMEOUT))
    return result
