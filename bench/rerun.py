"""Measurement 4: what a second run of ``playbooks/site.yml`` costs, beside the first.

On a reset sandbox, ``site.yml`` runs twice with the same variables (an app, the domain's token
settings, the IAM OIDC provider and ``ROLES`` roles with one inline policy each, then the
verification of every role). The sandbox counts the requests of each run by endpoint; the STS
gate's own reads of the domain (discovery and JWKS, AWS's requests, not the collection's) are left
out. Target for the second run: zero writes, and at most one read per managed object (the app, the
domain's settings, the IAM OIDC provider, each role and each role's inline policy). The
verification's exchanges (a token request, ``AssumeRoleWithWebIdentity`` and
``GetCallerIdentity`` per role) are counted apart: they are not reads of managed objects.

When ``playbooks/site.yml`` is not in the checkout, the target is reported as not available (no
figure is made up for it); if the role ``oci_aws_federation`` that it would run is there, the
same two runs are measured on that role through ``templates/federation_role.yml`` and reported
as that.
"""

import json
import os

from bench.common import BENCH, ROOT, Result, collection_requests, write_private

SITE = os.path.join(ROOT, "playbooks", "site.yml")
FEDERATION_ROLE = os.path.join(ROOT, "roles", "oci_aws_federation", "tasks", "main.yml")
ROLES = 3
POLICY = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]}
RUNS = ("first", "second")


def _extra_vars(ctx, home):
    """The roles' variables for the sandbox; the secret file lives in the run's private home."""
    env = ctx.sandbox.env
    data = {
        "oci_oidc_provider_domain_url": ctx.sandbox.domain_url,
        "oci_oidc_provider_config_file_location": env["OCI_CONFIG_FILE"],
        "oci_oidc_provider_config_profile_name": env["OCI_CONFIG_PROFILE"],
        "oci_oidc_provider_cert_bundle": ctx.sandbox.ca_bundle,
        "oci_oidc_provider_app_name": "bench-federation",
        "oci_oidc_provider_secret_file": os.path.join(home, "secret", "bench-federation.yml"),
        "aws_oidc_trust_roles": [{"name": "bench-rerun-%d" % n, "max_session_duration": 3600,
                                  "inline_policies": {"s3-read": POLICY}} for n in range(ROLES)],
        "aws_oidc_trust_region": env["AWS_DEFAULT_REGION"],
        "aws_oidc_trust_endpoint_url": ctx.sandbox.aws_endpoint,
        "aws_oidc_trust_aws_ca_bundle": ctx.sandbox.ca_bundle,
    }
    return write_private(os.path.join(home, "bench-vars.json"), json.dumps(data))


def managed_objects():
    """Per cloud, the objects site.yml manages: their number, and what they are."""
    return {"oci": (2, "the app and the domain's settings"),
            "aws": (1 + 2 * ROLES, "the IAM OIDC provider, %d roles and their %d inline policies" % (ROLES, ROLES))}


def run(ctx):
    if os.path.exists(SITE):
        playbook, what = SITE, "playbooks/site.yml"
    elif os.path.exists(FEDERATION_ROLE):
        playbook, what = os.path.join(BENCH, "templates", "federation_role.yml"), "the role oci_aws_federation"
    else:
        playbook, what = None, None
    result = Result(4, "Re-run cost: a second run of %s, beside the first" % (what or "playbooks/site.yml"),
                    ["cloud", "endpoint", "kind", "first run", "second run"])
    if playbook != SITE:
        result.check("site.yml, second run: zero writes, at most one read per managed object",
                     "not available: playbooks/site.yml is not in this checkout", None,
                     "no figure is given for a playbook that does not exist"
                     + ("; measured on the role oci_aws_federation instead (next row)" if playbook else ""))
    if playbook is None:
        result.notes.append("Neither playbooks/site.yml nor roles/oci_aws_federation is in this checkout.")
        return result
    ctx.sandbox.reset()
    home = ctx.directory("rerun-home")
    variables = _extra_vars(ctx, home)
    env = ctx.ansible_env(home)
    env.pop("OCI_AWS_CREDS_CACHE_DIR", None)
    measured = {}
    for name in RUNS:
        ctx.sandbox.reset_counters()
        done, seconds = ctx.ansible_playbook(env, playbook, args=["-e", "@" + variables], log_name="rerun-" + name)
        if done.returncode != 0:
            raise RuntimeError("%s, %s run failed (rc %d): see bench/output/logs/rerun-%s.log"
                               % (what, name, done.returncode, name))
        measured[name] = (collection_requests(ctx.counts()), seconds, _recap(done.stdout))
    _rows(result, measured)
    _checks(result, measured, what, playbook == SITE)
    return result


def _recap(stdout):
    """``changed=`` of the play recap, summed over the hosts."""
    total = 0
    for line in stdout.splitlines():
        if " changed=" in line and " ok=" in line:
            total += int(line.split(" changed=")[1].split()[0])
    return total


def _rows(result, measured):
    first, second = measured["first"][0], measured["second"][0]
    kinds = {}
    for cloud in ("oci", "aws"):
        for run_counts in (first, second):
            for key in run_counts[cloud]["endpoints"]:
                kinds[(cloud, key)] = None
    for cloud, key in sorted(kinds):
        a = first[cloud]["endpoints"].get(key, 0)
        b = second[cloud]["endpoints"].get(key, 0)
        result.rows.append([cloud, key, _kind(first, second, cloud, key), a, b])
    for cloud in ("oci", "aws"):
        for kind in ("read", "write", "token", "sts"):
            result.rows.append([cloud, "**all %s**" % kind, kind, first[cloud][kind], second[cloud][kind]])
    result.rows.append(["", "**wall time**", "", "%.2f s" % measured["first"][1], "%.2f s" % measured["second"][1]])
    result.rows.append(["", "**changed tasks**", "", measured["first"][2], measured["second"][2]])


def _kind(first, second, cloud, key):
    for run_counts in (first, second):
        kind = run_counts[cloud].get("kind_of", {}).get(key)
        if kind:
            return kind
    return ""


# The reads that list a role's policies rather than read one managed object: what the purge_* options need.
PURGE_LISTINGS = ("iam:ListRolePolicies", "iam:ListAttachedRolePolicies")


# Why each read endpoint is called on a converged run (for the explanation of a failed target).
READ_REASONS = {
    "iam:GetOpenIDConnectProvider": "the one provider, read by the provider's task; each role's call is given its ARN "
                                    "(provider_arn) and reads it only before a write that names it",
    "iam:ListOpenIDConnectProviders": "a call that knows neither the account nor the provider's ARN lists the providers",
    "iam:GetRole": "each role",
    "iam:ListRolePolicies": "each role's inline policy names: the role's items are the whole truth about their roles "
                            "(purge_inline_policies true), and only this listing finds a policy added by hand",
    "iam:GetRolePolicy": "each inline policy",
    "iam:ListAttachedRolePolicies": "each role's managed policies: the same whole truth (managed_policy_arns [] and "
                                    "purge_managed_policies true), and only this listing finds one attached by hand",
    "iam:ListRoleTags": "each role's tags",
    "GET /admin/v1/Apps": "the app, found by name",
    "GET /admin/v1/Apps/{id}": "the app",
    "GET /admin/v1/Settings/{id}": "the domain's settings",
}


def _read_breakdown(counts, cloud):
    parts = []
    for key, number in sorted(counts[cloud]["endpoints"].items()):
        if counts[cloud]["kind_of"].get(key) == "read":
            reason = READ_REASONS.get(key)
            parts.append("%s x%d%s" % (key.replace("iam:", ""), number, " (%s)" % reason if reason else ""))
    return ", ".join(parts)


def _checks(result, measured, what, is_site):
    second = measured["second"][0]
    objects = managed_objects()
    writes = second["oci"]["write"] + second["aws"]["write"]
    problems = []
    if writes:
        problems.append("%d write(s): %s" % (writes, ", ".join(
            "%s %s" % (k, n) for cloud in ("oci", "aws") for k, n in second[cloud]["endpoints"].items()
            if k in _writes(second, cloud))))
    if measured["second"][2]:
        problems.append("%d task(s) reported changed" % measured["second"][2])
    reads = {}
    listings = sum(second["aws"]["endpoints"].get(key, 0) for key in PURGE_LISTINGS)
    for cloud in ("oci", "aws"):
        reads[cloud] = second[cloud]["read"]
        if reads[cloud] > objects[cloud][0]:
            problems.append("%s: %d reads for %d managed objects (%s); bounded by the modules' reads, measured: %s" % (
                cloud.upper(), reads[cloud], objects[cloud][0], objects[cloud][1], _read_breakdown(second, cloud)))
    if reads["aws"] > objects["aws"][0] and reads["aws"] - listings <= objects["aws"][0]:
        problems.append(
            "the floor, with the role's purge semantics: %d of the AWS reads are the listings of each role's inline and "
            "managed policies (%d roles x 2), without which a policy added or attached by hand would stay; IAM has no "
            "read that returns a role with its policies but GetAccountAuthorizationDetails, which lists the whole "
            "account (every role and policy, paged) and needs a broad read permission; items with purge_* false "
            "skip the listings (then %d reads)" % (listings, ROLES, reads["aws"] - listings))
    result.notes.append(
        "Managed objects: OCI %d (%s), AWS %d (%s). The verification of each role (a token request, "
        "AssumeRoleWithWebIdentity, GetCallerIdentity) runs on every run by design and is counted under token and "
        "sts; the provider task's GetCallerIdentity (aws_oidc_role learns the account from STS, once per play, "
        "instead of listing the providers) is also under sts."
        % (objects["oci"][0], objects["oci"][1], objects["aws"][0], objects["aws"][1]))
    if not is_site:
        result.notes.append(
            "playbooks/site.yml was not in the checkout when this ran: these figures are those of the role "
            "oci_aws_federation (steps 1 to 7, with verification) run through bench/templates/federation_role.yml.")
    object_reads = reads["aws"] - listings
    result.check(
        "%s, second run: AWS reads of the managed objects themselves (all reads but the purge listings %s) at most "
        "one per object" % (what, "/".join(k.replace("iam:", "") for k in PURGE_LISTINGS)),
        "%d object reads / %d objects, %d purge listings" % (object_reads, objects["aws"][0], listings),
        object_reads <= objects["aws"][0], "" if object_reads <= objects["aws"][0] else _read_breakdown(second, "aws"))
    result.check(
        "%s, second run: zero writes, at most one read per managed object" % what,
        "%d writes, %d changed; reads OCI %d / %d objects, AWS %d / %d objects; wall %.2f s vs %.2f s first run" % (
            writes, measured["second"][2], reads["oci"], objects["oci"][0], reads["aws"], objects["aws"][0],
            measured["second"][1], measured["first"][1]),
        not problems, "; ".join(problems))


def _writes(counts, cloud):
    return set(k for k in counts[cloud]["endpoints"] if counts[cloud].get("kind_of", {}).get(k) == "write")
