"""Measurement 5: growth of the role aws_oidc_trust with 1, 10 and 50 roles.

For each size, on a reset sandbox: the role (``templates/trust_role.yml``) creates the IAM OIDC
provider and N federated roles (each with one inline policy), then runs again with nothing to
change. The sandbox counts the requests of each run by endpoint. Requests must grow linearly with
N (the same number of requests for every added role) and no account-wide listing (ListRoles,
ListPolicies, ListOpenIDConnectProviders, ...) may grow with N; wall time must not grow faster than linearly.

When ``roles/aws_oidc_trust`` is not in the checkout, the module ``aws_oidc_role`` is called
directly, once for the provider and once per role (``templates/trust_standin.yml``), and the
results say so.
"""

import json
import os
import re

from bench.common import BENCH, ROOT, Result, collection_requests, write_private

SIZES = (1, 10, 50)
QUICK_SIZES = (1, 5, 10)
PHASES = ("create", "converged")
# Slope of wall time per added role, between the two largest sizes, at most this times the slope between the
# two smallest: more would be growth faster than linear.
SLOPE_TOLERANCE = 1.25
# IAM calls that list the account's roles, policies or providers rather than read one object: their number must not
# grow with the roles. ListOpenIDConnectProviders is one of them (a listing of the account's providers, whatever its
# size), and is also shown in a column of its own.
PROVIDER_LISTING = "iam:ListOpenIDConnectProviders"
ACCOUNT_WIDE = ("iam:ListRoles", "iam:ListPolicies", "iam:ListEntitiesForPolicy",
                "iam:GetAccountAuthorizationDetails", "iam:ListInstanceProfiles", PROVIDER_LISTING)
ROLE_TASKS = os.path.join(ROOT, "roles", "aws_oidc_trust", "tasks", "main.yml")
POLICY = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]}
SUBJECT = "0123456789abcdef0123456789abcdef"  # the tokens' sub the roles trust; no token is made here


def _extra_vars(ctx, directory, roles):
    data = {
        "aws_oidc_trust_issuer_url": ctx.sandbox.domain_url,
        "aws_oidc_trust_subjects": [SUBJECT],
        "aws_oidc_trust_roles": [{"name": "bench-growth-%03d" % n, "max_session_duration": 3600,
                                  "inline_policies": {"s3-read": POLICY}} for n in range(roles)],
        "aws_oidc_trust_region": ctx.sandbox.env["AWS_DEFAULT_REGION"],
        "aws_oidc_trust_endpoint_url": ctx.sandbox.aws_endpoint,
        "aws_oidc_trust_aws_ca_bundle": ctx.sandbox.ca_bundle,
    }
    return write_private(os.path.join(directory, "roles-%d.json" % roles), json.dumps(data))


def _changed(stdout):
    found = re.search(r"localhost\s*:\s*ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=(\d+)", stdout)
    if not found or found.group(2) != "0":
        return None
    return int(found.group(1))


def _linear(values, sizes):
    """Whether ``values`` (one per size) lie on a line a + b*N; b (per added role)."""
    small, middle, large = sizes
    slope = (values[1] - values[0]) / float(middle - small)
    predicted = values[0] + slope * (large - small)
    return abs(values[2] - predicted) < 1e-9, slope


def run(ctx):
    use_role = os.path.exists(ROLE_TASKS)
    playbook = os.path.join(BENCH, "templates", "trust_role.yml" if use_role else "trust_standin.yml")
    what = "the role aws_oidc_trust" if use_role else "the module aws_oidc_role directly (roles/aws_oidc_trust absent)"
    sizes = QUICK_SIZES if ctx.quick else SIZES
    result = Result(5, "Growth: %s with %s roles" % (what, ", ".join(map(str, sizes))),
                    ["roles", "run", "changed", "AWS reads", "AWS writes", "STS calls",
                     "listings of roles, policies or providers", "of which ListOpenIDConnectProviders", "wall",
                     "requests per role"])
    directory = ctx.directory("growth")
    measured = {}  # (phase, size) -> {"reads", "writes", "sts", "listings", "wall", "endpoints"}
    for size in sizes:
        ctx.sandbox.reset()
        home = ctx.directory("growth-home")
        variables = _extra_vars(ctx, directory, size)
        env = ctx.ansible_env(home)
        for phase in PHASES:
            ctx.sandbox.reset_counters()
            done, seconds = ctx.ansible_playbook(env, playbook, args=["-e", "@" + variables],
                                                 log_name="growth-%d-%s" % (size, phase))
            changed = _changed(done.stdout)
            if done.returncode != 0 or changed is None:
                raise RuntimeError("growth: %d roles, %s run failed (rc %d): see bench/output/logs/growth-%d-%s.log"
                                   % (size, phase, done.returncode, size, phase))
            aws = collection_requests(ctx.counts())["aws"]
            listings = sum(n for key, n in aws["endpoints"].items() if key in ACCOUNT_WIDE)
            measured[(phase, size)] = dict(reads=aws["read"], writes=aws["write"], sts=aws["sts"], listings=listings,
                                           providers=aws["endpoints"].get(PROVIDER_LISTING, 0), wall=seconds,
                                           changed=changed, endpoints=aws["endpoints"])
    for phase in PHASES:
        for size in sizes:
            m = measured[(phase, size)]
            total = m["reads"] + m["writes"] + m["sts"]
            result.rows.append([size, phase, m["changed"], m["reads"], m["writes"], m["sts"], m["listings"],
                                m["providers"], "%.2f s" % m["wall"], "%.1f" % (total / float(size))])
    _checks(result, measured, sizes, use_role)
    return result


def _per_endpoint(measured, phase, sizes):
    """Which endpoints each added role calls, and how often (from the two smallest sizes)."""
    small, middle = measured[(phase, sizes[0])]["endpoints"], measured[(phase, sizes[1])]["endpoints"]
    step = float(sizes[1] - sizes[0])
    grows = {}
    for key in sorted(set(small) | set(middle)):
        per_role = (middle.get(key, 0) - small.get(key, 0)) / step
        if per_role:
            grows[key] = per_role
    return ", ".join("%s %g" % (key.replace("iam:", ""), n) for key, n in grows.items()) or "none"


def _checks(result, measured, sizes, use_role):
    if not use_role:
        result.notes.append(
            "roles/aws_oidc_trust was not in the checkout when this ran: the module aws_oidc_role was called directly, "
            "once for the provider and once per role, which is what the role does; run make bench again once the "
            "role exists to measure the role itself.")
    for phase in PHASES:
        problems = []
        slopes = []
        for kind in ("reads", "writes", "sts"):
            linear, slope = _linear([measured[(phase, s)][kind] for s in sizes], sizes)
            slopes.append("%s %g" % (kind, slope))
            if not linear:
                problems.append("%s are not linear in the roles: %s" % (
                    kind, ", ".join("%d at %d" % (measured[(phase, s)][kind], s) for s in sizes)))
        listings = [measured[(phase, s)]["listings"] for s in sizes]
        if len(set(listings)) > 1:
            problems.append("listings of the account's roles, policies or providers grow with the roles: %s" % listings)
        result.notes.append("%s run, each added role: %s (AWS endpoints: %s)." % (
            phase.capitalize(), ", ".join(slopes), _per_endpoint(measured, phase, sizes)))
        result.check(
            "%s run: requests linear in the roles, no listing of all roles, policies or providers per role" % phase,
            "per added role: %s; listings of roles, policies or providers %s" % (", ".join(slopes), "/".join(map(str, listings))),
            not problems, "; ".join(problems))
        walls = [measured[(phase, s)]["wall"] for s in sizes]
        first = (walls[1] - walls[0]) / float(sizes[1] - sizes[0])
        second = (walls[2] - walls[1]) / float(sizes[2] - sizes[1])
        passed = second <= SLOPE_TOLERANCE * first
        why = "" if passed else (
            "each role from %d to %d cost %.2f s against %.2f s from %d to %d: growth faster than linear"
            % (sizes[1], sizes[2], second, first, sizes[0], sizes[1]))
        result.check(
            "%s run: wall time linear in the roles (slope %d-%d at most %.2fx slope %d-%d)"
            % (phase, sizes[1], sizes[2], SLOPE_TOLERANCE, sizes[0], sizes[1]),
            "%s; %.3f s then %.3f s per role" % (" / ".join("%.2f s" % w for w in walls), first, second),
            passed, why)
    providers = [measured[("create", s)]["providers"] for s in sizes]
    if len(set(providers)) > 1:
        result.notes.append(
            "ListOpenIDConnectProviders grows with new roles (create run: %s; converged: %s): a call of "
            "aws_oidc_role finds the provider by listing the account's providers when it knows neither the account "
            "nor the provider's ARN."
            % ("/".join(map(str, providers)),
               "/".join(str(measured[("converged", s)]["providers"]) for s in sizes)))
    converged = [measured[("converged", s)] for s in sizes]
    if any(m["writes"] or m["changed"] for m in converged):
        result.notes.append("The converged runs wrote: %s." % ", ".join(
            "%d writes, %d changed at %d roles" % (m["writes"], m["changed"], s) for m, s in zip(converged, sizes)))
