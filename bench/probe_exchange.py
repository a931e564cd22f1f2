"""Probe for measurement 3, in a fresh interpreter: the collection's exchange against the same two raw
requests, alternating.

- ``module``: what ``oci_aws_assume`` does for the exchange: ``ExchangeSpec.from_options`` (every
  option checked), then ``Exchange.run()``: the client-credentials grant (urllib, a new TLS
  connection), the token's preflight, a new unsigned STS client from a new boto3 session that
  shares the process's botocore data loader, ``AssumeRoleWithWebIdentity`` and the answer
  converted.
- ``raw``: the manual procedure's steps 6 and 7: ``requests.post`` to the token endpoint (a new
  TLS connection), then a new unsigned ``boto3.client("sts")`` from boto3's default session
  (which keeps its data loader for the process) and the same STS call.

Fairness: both sides verify TLS against the same CA bundle, open a new connection for every
request and make a new STS client per exchange while loading botocore's service models once per
process; botocore's own retries are off on both (one attempt). The first ``warmup`` pairs (imports,
model loading) are excluded from both. The order inside a pair rotates from one pair to the next.
With ``what_if``, a third side runs the module's exchange with one botocore session kept for the
process, to measure what the new session per exchange costs. ``BaseClient._make_api_call`` is timed on both sides alike
to tell the STS call from the rest, and the module's ``_aws.connection._botocore_session`` to show what its new
botocore session per exchange costs (the raw side's default session is made once per process).
"""

import time

from bench.inprocess import answer, configure_environment, read_config


class Phases:
    """Seconds spent, during the current exchange, in the token's HTTP request, in the STS API call and (module
    only) in making the new botocore session that each exchange's STS client comes from."""

    def __init__(self):
        self.token = 0.0
        self.sts = 0.0
        self.session = 0.0

    def reset(self):
        self.token = self.sts = self.session = 0.0


def main():
    config = read_config()
    configure_environment(config)
    import boto3  # pylint: disable=import-outside-toplevel
    import botocore.client  # pylint: disable=import-outside-toplevel
    import requests  # pylint: disable=import-outside-toplevel
    from botocore import UNSIGNED  # pylint: disable=import-outside-toplevel
    from botocore.config import Config  # pylint: disable=import-outside-toplevel

    from ansible_collections.multicloud.oci_aws.plugins.module_utils import _http  # pylint: disable=import-outside-toplevel
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws import connection as _aws  # pylint: disable=import-outside-toplevel
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.sts import Exchange
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.spec import ExchangeSpec
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import OptionAdapter

    phases = Phases()
    original_call = botocore.client.BaseClient._make_api_call

    def timed_call(client, operation, params):
        started = time.perf_counter()
        try:
            return original_call(client, operation, params)
        finally:
            phases.sts += time.perf_counter() - started

    botocore.client.BaseClient._make_api_call = timed_call
    original_session = _aws._botocore_session

    def timed_session():
        started = time.perf_counter()
        try:
            return original_session()
        finally:
            phases.session += time.perf_counter() - started

    _aws._botocore_session = timed_session
    kept = []

    def kept_session():
        """What-if: one botocore session for the process (safe here: no profile, no keys, an unsigned client)."""
        if not kept:
            kept.append(original_session())
        return kept[0]

    def timed_post(url, body, headers, cert_bundle=None, timeout=_http.TOKEN_TIMEOUT):
        started = time.perf_counter()
        try:
            return _http.https_post(url, body, headers, cert_bundle, timeout)
        finally:
            phases.token += time.perf_counter() - started

    fed = config["federation"]
    ca_bundle = config["ca_bundle"]
    endpoint = config["aws_endpoint"]
    region = config["region"]
    scope = "sts.amazon.com/"
    options = dict(domain_url=fed["domain_url"], client_id=fed["client_id"], client_secret=fed["client_secret"],
                   role_arn=fed["role_arn"], cert_bundle=ca_bundle, aws_ca_bundle=ca_bundle, endpoint_url=endpoint,
                   region=region, validate_certs=True, scope=scope)

    def module_exchange():
        spec = ExchangeSpec.from_options(OptionAdapter.from_dict(options), post=timed_post)
        credentials = Exchange(spec).run()
        return credentials.access_key.startswith("ASIA")

    token_url = fed["domain_url"] + "/oauth2/v1/token"
    sts_config = Config(signature_version=UNSIGNED, retries={"mode": "standard", "total_max_attempts": 1})

    def raw_exchange():
        started = time.perf_counter()
        response = requests.post(token_url, auth=(fed["client_id"], fed["client_secret"]),
                                 data={"grant_type": "client_credentials", "scope": scope},
                                 verify=ca_bundle, timeout=15)
        response.raise_for_status()
        token = response.json()["access_token"]
        phases.token += time.perf_counter() - started
        sts = boto3.client("sts", region_name=region, endpoint_url=endpoint, verify=ca_bundle, config=sts_config)
        answer_ = sts.assume_role_with_web_identity(RoleArn=fed["role_arn"], RoleSessionName="ansible-oci-aws",
                                                    WebIdentityToken=token, DurationSeconds=3600)
        return answer_["Credentials"]["AccessKeyId"].startswith("ASIA")

    def module_kept_session():
        _aws._botocore_session = kept_session
        try:
            return module_exchange()
        finally:
            _aws._botocore_session = timed_session

    sides = {"module": module_exchange, "raw": raw_exchange}
    if config.get("what_if"):
        sides["module, one botocore session per process (what-if)"] = module_kept_session
    samples = dict((name, {"total": [], "token": [], "sts": [], "session": []}) for name in sides)
    warmup = []

    def once(name):
        phases.reset()
        started = time.perf_counter()
        ok = sides[name]()
        elapsed = time.perf_counter() - started
        if not ok:
            raise RuntimeError("the %s exchange gave no credentials" % name)
        return elapsed, phases.token, phases.sts, phases.session

    for index in range(config["warmup"] + config["pairs"]):
        names = sorted(sides)
        order = names[index % len(names):] + names[:index % len(names)]
        pair = {}
        for name in order:
            pair[name] = once(name)
        if index < config["warmup"]:
            warmup.append(dict((name, pair[name][0]) for name in sides))
            continue
        for name in sides:
            for key, value in zip(("total", "token", "sts", "session"), pair[name]):
                samples[name][key].append(value)
    answer({"samples": samples, "warmup": warmup})


if __name__ == "__main__":
    main()
