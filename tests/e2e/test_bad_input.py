"""Bad input across the modules, the roles and the lookup (issue 7): every case fails before any change.

All cases run as the tasks of one playbook against the sandbox (each with ``ignore_errors``), so
that the whole table costs one Ansible start. For each case the test checks that the task failed,
that the message names the option (and, where Ansible itself does not check it, says how to fix
it), and at the end that neither cloud saw a single write request. A federation built by the manual
procedure is in place, so that a case would change something if its input got through.
"""

import json
import os

import yaml

from e2e.exchange_support import Federation, ansible_env, run_playbook

DOMAIN = "https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com"
APP = "multicloud.oci_aws.oci_oidc_app"
POLICY = "multicloud.oci_aws.oci_token_policy"
ROLE = "multicloud.oci_aws.aws_oidc_role"
ASSUME = "multicloud.oci_aws.oci_aws_assume"
LOOKUP = "lookup"
JWT_PARTS = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"

# (case id, module or LOOKUP, arguments, the option the message must name, words the message must hold)
# Arguments may use the placeholders {domain}, {client_id}, {client_secret}, {role_arn}, {missing},
# {unreadable} and {not_a_key}, filled in per run.
CASES = [
    # -- oci_oidc_app -----------------------------------------------------------------------------
    ("app-http-domain", APP, dict(domain_url="http://idcs-1.identity.oraclecloud.com", display_name="x"),
     "domain_url", ["https://"]),
    ("app-domain-path", APP, dict(domain_url=DOMAIN + "/admin/v1", display_name="x"), "domain_url", ["path"]),
    ("app-domain-query", APP, dict(domain_url=DOMAIN + "?tenant=1", display_name="x"), "domain_url", ["query"]),
    ("app-domain-userinfo", APP, dict(domain_url="https://admin:pw@idcs-1.identity.oraclecloud.com", display_name="x"),
     "domain_url", ["user"]),
    ("app-domain-not-url", APP, dict(domain_url="idcs-1 identity", display_name="x"), "domain_url", []),
    ("app-empty-name", APP, dict(domain_url="{domain}", display_name=""), "display_name", ["non-empty"]),
    ("app-padded-name", APP, dict(domain_url="{domain}", display_name=" aws "), "display_name", ["spaces"]),
    ("app-audience-space", APP, dict(domain_url="{domain}", display_name="x", audience="sts.amazon.com other"),
     "audience", ["one value"]),
    ("app-audience-comma", APP, dict(domain_url="{domain}", display_name="x", audience="a,b"), "audience", ["one value"]),
    ("app-audience-long", APP, dict(domain_url="{domain}", display_name="x", audience="a" * 256), "audience", ["255"]),
    ("app-no-scopes", APP, dict(domain_url="{domain}", display_name="x", scopes=[]), "scopes", ["at least one"]),
    ("app-empty-scope", APP, dict(domain_url="{domain}", display_name="x", scopes=[dict(value="")]), "scopes",
     ["non-empty"]),
    ("app-scope-space", APP, dict(domain_url="{domain}", display_name="x", scopes=[dict(value="a b")]), "scopes",
     ["one entry per scope"]),
    ("app-scope-twice", APP, dict(domain_url="{domain}", display_name="x", scopes=[dict(value="/"), dict(value="/")]),
     "scopes", ["twice"]),
    ("app-client-id-chars", APP, dict(domain_url="{domain}", display_name="x", client_id="my-app!"), "client_id",
     ["letters, digits and underscores"]),
    ("app-expiry-zero", APP, dict(domain_url="{domain}", display_name="x", access_token_expiry=0),
     "access_token_expiry", ["between 60 (one minute) and 31536000 (one year)"]),
    ("app-expiry-type", APP, dict(domain_url="{domain}", display_name="x", access_token_expiry="an hour"),
     "access_token_expiry", []),
    ("app-state", APP, dict(domain_url="{domain}", display_name="x", state="deleted"), "state", []),
    ("app-secret-policy", APP, dict(domain_url="{domain}", display_name="x", secret="rotate"), "secret", []),
    ("app-missing-config", APP, dict(domain_url="{domain}", display_name="x", config_file_location="{missing}"),
     "config_file_location", ["oci setup config"]),
    ("app-unknown-profile", APP, dict(domain_url="{domain}", display_name="x", config_profile_name="NOPE"),
     "config_profile_name", ["DEFAULT"]),
    ("app-missing-ca", APP, dict(domain_url="{domain}", display_name="x", cert_bundle="{missing}"), "cert_bundle",
     ["PEM"]),
    ("app-auth-type", APP, dict(domain_url="{domain}", display_name="x", auth_type="password"), "auth_type", []),
    ("app-resource-principal", APP, dict(domain_url="{domain}", display_name="x", auth_type="resource_principal"),
     "auth_type", ["OCI_RESOURCE_PRINCIPAL_VERSION"]),
    # -- oci_token_policy -------------------------------------------------------------------------
    ("policy-http-issuer", POLICY, dict(domain_url="{domain}", issuer="http://idcs-1.identity.oraclecloud.com"),
     "issuer", ["https://"]),
    ("policy-issuer-slash", POLICY, dict(domain_url="{domain}", issuer=DOMAIN + "/"), "issuer", ["trailing", "/"]),
    ("policy-issuer-path", POLICY, dict(domain_url="{domain}", issuer=DOMAIN + "/oauth2"), "issuer", ["path"]),
    ("policy-issuer-default-port", POLICY, dict(domain_url="{domain}", issuer=DOMAIN.replace(".com", ".com:443")),
     "issuer", [":443"]),
    ("policy-public-type", POLICY, dict(domain_url="{domain}", signing_cert_public_access="sometimes"),
     "signing_cert_public_access", []),
    ("policy-domain-fragment", POLICY, dict(domain_url=DOMAIN + "#x"), "domain_url", []),
    # -- aws_oidc_role ----------------------------------------------------------------------------
    ("role-http-issuer", ROLE, dict(issuer_url="http://idcs-1.identity.oraclecloud.com", role_name="r",
                                    subjects=["c"]), "issuer_url", ["https://"]),
    ("role-issuer-slash", ROLE, dict(issuer_url=DOMAIN + "/", role_name="r", subjects=["c"]), "issuer_url", []),
    ("role-name-long", ROLE, dict(issuer_url="{domain}", role_name="r" * 65, subjects=["c"]), "role_name", ["64"]),
    ("role-duration-low", ROLE, dict(issuer_url="{domain}", role_name="r", subjects=["c"], max_session_duration=60),
     "max_session_duration", ["3600"]),
    ("role-policy-json", ROLE, dict(issuer_url="{domain}", role_name="r", subjects=["c"],
                                    inline_policies=dict(s3="{not json")), "inline_policies", []),
    ("role-managed-arn", ROLE, dict(issuer_url="{domain}", role_name="r", subjects=["c"],
                                    managed_policy_arns=["AmazonS3ReadOnlyAccess"]), "managed_policy_arns", ["arn:"]),
    ("role-no-subject", ROLE, dict(issuer_url="{domain}", role_name="r"), "subjects", ["allow_any_subject"]),
    ("role-audience-comma", ROLE, dict(issuer_url="{domain}", role_name="r", subjects=["c"], audience="a,b"),
     "audience", []),
    ("role-tls-off", ROLE, dict(issuer_url="{domain}", role_name="r", subjects=["c"], validate_certs=False),
     "validate_certs", ["aws_ca_bundle"]),
    ("role-unknown-profile", ROLE, dict(issuer_url="{domain}", role_name="r", subjects=["c"], profile="nope"),
     "profile", []),
    # -- oci_aws_assume ---------------------------------------------------------------------------
    ("assume-role-arn", ASSUME, dict(domain_url="{domain}", client_id="{client_id}", client_secret="{client_secret}",
                                     role_arn="my-role"), "role_arn", []),
    ("assume-duration", ASSUME, dict(domain_url="{domain}", client_id="{client_id}", client_secret="{client_secret}",
                                     role_arn="{role_arn}", duration_seconds=60), "duration_seconds", ["900"]),
    ("assume-secret-alone", ASSUME, dict(domain_url="{domain}", client_secret="{client_secret}", role_arn="{role_arn}"),
     "client_id", []),
    ("assume-not-a-jwt", ASSUME, dict(token="not-a-token", role_arn="{role_arn}", domain_url="{domain}"), "token",
     []),
    ("assume-oversize-token", ASSUME, dict(token=JWT_PARTS + "A" * 25000, role_arn="{role_arn}", domain_url="{domain}"),
     "token", []),
    ("assume-token-and-client", ASSUME, dict(token=JWT_PARTS, client_id="{client_id}", client_secret="{client_secret}",
                                             role_arn="{role_arn}", domain_url="{domain}"), "client_id", []),
    ("assume-unreadable-token-file", ASSUME, dict(token_file="{unreadable}", role_arn="{role_arn}",
                                                  domain_url="{domain}"), "token_file", []),
    ("assume-session-policy-json", ASSUME, dict(domain_url="{domain}", client_id="{client_id}",
                                                client_secret="{client_secret}", role_arn="{role_arn}",
                                                policy="{not json"), "policy", []),
    ("assume-session-name", ASSUME, dict(domain_url="{domain}", client_id="{client_id}", client_secret="{client_secret}",
                                         role_arn="{role_arn}", role_session_name="has spaces"), "role_session_name",
     []),
    ("assume-http-token-url", ASSUME, dict(token_url="http://idcs-1.identity.oraclecloud.com/oauth2/v1/token",
                                           client_id="{client_id}", client_secret="{client_secret}",
                                           role_arn="{role_arn}", domain_url="{domain}"), "token_url", ["https://"]),
    ("assume-bad-ca", ASSUME, dict(domain_url="{domain}", client_id="{client_id}", client_secret="{client_secret}",
                                   role_arn="{role_arn}", cert_bundle="{not_a_key}"), "cert_bundle", []),
    # -- line injection and hostile hosts (issue 11, items 6 and 15) ---------------------------------
    ("assume-process-profile-newline", ASSUME, dict(domain_url="{domain}", client_id="{client_id}",
                                                    client_secret="{client_secret}", role_arn="{role_arn}",
                                                    credential_process_profile="evil\n"),
     "credential_process_profile", ["line breaks"]),
    ("assume-credentials-profile-newline", ASSUME, dict(domain_url="{domain}", client_id="{client_id}",
                                                        client_secret="{client_secret}", role_arn="{role_arn}",
                                                        credentials_profile="static\n"),
     "credentials_profile", ["line breaks"]),
    ("assume-process-dir-sections", ASSUME, dict(domain_url="{domain}", client_id="{client_id}",
                                                 client_secret="{client_secret}", role_arn="{role_arn}",
                                                 credential_process_profile="oci",
                                                 credential_process_dir="/tmp/oci]\n[profile injected]"),
     "credential_process_dir", ["line breaks"]),
    ("assume-role-arn-newline", ASSUME, dict(domain_url="{domain}", client_id="{client_id}",
                                             client_secret="{client_secret}",
                                             role_arn="arn:aws:iam::123456789012:role/oci-reporting\n"), "role_arn", []),
    ("assume-session-name-newline", ASSUME, dict(domain_url="{domain}", client_id="{client_id}",
                                                 client_secret="{client_secret}", role_arn="{role_arn}",
                                                 role_session_name="ansible-oci-aws\n"), "role_session_name", []),
    ("assume-audience-newline", ASSUME, dict(domain_url="{domain}", client_id="{client_id}",
                                             client_secret="{client_secret}", role_arn="{role_arn}",
                                             audience="sts.amazon.com\n"), "audience", ["exactly one value"]),
    ("app-domain-arabic-digits", APP, dict(domain_url="https://\u0661\u0662\u0667.\u0660.\u0660.\u0661",
                                           display_name="x"), "domain_url", ["ASCII"]),
    ("role-issuer-out-of-range", ROLE, dict(issuer_url="https://999.1.1.1", role_name="r", subjects=["c"]),
     "issuer_url", ["IPv4"]),
    # -- the roles (their argument specs, then the modules they call) --------------------------------
    ("role-secret-store", "role:oci_oidc_provider", dict(oci_oidc_provider_domain_url="{domain}",
                                                         oci_oidc_provider_secret_store="disk"),
     "oci_oidc_provider_secret_store", ["file"]),
    ("role-http-domain", "role:oci_oidc_provider", dict(oci_oidc_provider_domain_url="http://idcs-1.oraclecloud.com"),
     "domain_url", ["https://"]),
    ("role-trust-role-unnamed", "role:aws_oidc_trust", dict(aws_oidc_trust_issuer_url="{domain}",
                                                            aws_oidc_trust_roles=[dict(max_session_duration=3600)]),
     "name", ["aws_oidc_trust_roles"]),
    ("role-federation-state", "role:oci_aws_federation", dict(oci_oidc_provider_domain_url="{domain}",
                                                              oci_aws_federation_state="gone"),
     "oci_aws_federation_state", ["present"]),
    # -- the lookup -------------------------------------------------------------------------------
    ("lookup-role-arn", LOOKUP, dict(role_arn="arn:aws:iam::12:role/x"), "role_arn", []),
    ("lookup-duration", LOOKUP, dict(duration_seconds=50000), "duration_seconds", ["43200"]),
    ("lookup-margin", LOOKUP, dict(cache_refresh_margin=-5), "cache_refresh_margin", []),
    ("lookup-http-domain", LOOKUP, dict(domain_url="http://idcs-1.identity.oraclecloud.com"), "domain_url", ["https://"]),
    ("lookup-tls-off", LOOKUP, dict(validate_certs=False), "validate_certs", ["aws_ca_bundle"]),
    ("lookup-role-arn-newline", LOOKUP, dict(role_arn="arn:aws:iam::123456789012:role/oci-reporting\n"), "role_arn", []),
    ("lookup-domain-arabic-digits", LOOKUP, dict(domain_url="https://\u0661\u0662\u0667.\u0660.\u0660.\u0661"),
     "domain_url", ["ASCII"]),
]


def fill(value, values):
    if isinstance(value, str):
        return value.format(**values) if value.startswith("{") and value.endswith("}") and " " not in value else value
    if isinstance(value, list):
        return [fill(item, values) for item in value]
    if isinstance(value, dict):
        return dict((k, fill(v, values)) for k, v in value.items())
    return value


def task(number, case, values):
    name, module, args, _option, _words = case
    args = fill(args, values)
    if module == LOOKUP:
        options = ", ".join("%s=%s" % (k, json.dumps(v, ensure_ascii=False)) for k, v in args.items())
        body = {"ansible.builtin.set_fact": {"case_%d" % number: "{{ lookup('multicloud.oci_aws.oci_aws_creds', %s) }}"
                                             % options}}
    elif module.startswith("role:"):
        # A role's failure is caught by rescue, where its result is known as ansible_failed_result.
        role = "multicloud.oci_aws." + module.split(":", 1)[1]
        return {"name": "case %d %s" % (number, name), "block": [
            {"name": "Not failed yet", "ansible.builtin.set_fact": {"r%d" % number: {"failed": False}}},
            {"name": "The role", "ansible.builtin.include_role": {"name": role}, "vars": args},
        ], "rescue": [
            {"name": "Its failure", "ansible.builtin.set_fact": {
                "r%d" % number: "{{ ansible_failed_result | combine({'failed': true}) }}"}},
        ]}
    else:
        body = {module: args}
    return dict(name="case %d %s" % (number, name), register="r%d" % number, ignore_errors=True, no_log=False, **body)


def test_the_bad_input_table(fresh_sandbox, home, tmp_path):
    assert len(CASES) >= 40
    federation = Federation(fresh_sandbox).build()
    unreadable = tmp_path / "token.jwt"
    unreadable.write_text(JWT_PARTS)
    unreadable.chmod(0)
    not_a_key = tmp_path / "not-a-ca.pem"
    not_a_key.write_text("this is not PEM\n")
    # The secret travels as users keep it: in a private vars file, never written into the playbook
    # (ansible-core 2.19 prints the playbook lines around a failed task).
    secrets = tmp_path / "secrets.yml"
    secrets.write_text(yaml.safe_dump(dict(bad_input_client_secret=federation.client_secret)))
    secrets.chmod(0o600)
    values = dict(domain=fresh_sandbox.domain_url, client_id=federation.client_id,
                  client_secret="{{ bad_input_client_secret }}", role_arn=federation.role_arn,
                  missing=str(tmp_path / "missing" / "file"), unreadable=str(unreadable), not_a_key=str(not_a_key))
    tasks = [task(n, case, values) for n, case in enumerate(CASES)]
    results = dict(("r%d" % n, "{{ r%d }}" % n) for n in range(len(CASES)))
    tasks.append({"name": "The results", "ansible.builtin.copy": {
        "content": "{{ %s | to_json }}" % json.dumps(results).replace('"{{ ', "").replace(' }}"', ""),
        "dest": str(tmp_path / "results.json"), "mode": "0600"}})
    playbook = yaml.safe_dump([dict(name="Bad input", hosts="localhost", gather_facts=False, tasks=tasks)],
                              sort_keys=False, width=1000)
    env = ansible_env(fresh_sandbox, home, OCI_DOMAIN_URL=fresh_sandbox.domain_url,
                      OCI_AWS_CLIENT_ID=federation.client_id, OCI_AWS_CLIENT_SECRET=federation.client_secret,
                      OCI_AWS_ROLE_ARN=federation.role_arn)
    fresh_sandbox.reset_counters()
    done = run_playbook(env, tmp_path, playbook, "-e", "@%s" % secrets)
    assert os.path.exists(tmp_path / "results.json"), done.stdout[-4000:] + done.stderr[-2000:]
    results = json.loads((tmp_path / "results.json").read_text())
    problems = []
    for number, (name, module, _args, option, words) in enumerate(CASES):
        result = results["r%d" % number]
        message = result.get("msg", "")
        if not result.get("failed"):
            problems.append("%s: did not fail: %s" % (name, result))
            continue
        if option not in message and result.get("option") != option:
            problems.append("%s: message does not name %s: %s" % (name, option, message))
        missing = [word for word in words if word not in message]
        if missing:
            problems.append("%s: message lacks %s: %s" % (name, missing, message))
        if federation.client_secret in json.dumps(result):
            problems.append("%s: the client secret is in the result" % name)
    assert problems == [], "\n".join(problems)
    snapshot = fresh_sandbox.counters()
    writes = dict((cloud, snapshot[cloud]["summary"].get("write", 0)) for cloud in ("oci", "aws"))
    assert writes == {"oci": 0, "aws": 0}, snapshot
    assert snapshot["oci"]["summary"].get("token", 0) == 0 and snapshot["aws"]["summary"].get("sts", 0) == 0, snapshot
    leaked = [line for line in (done.stdout + done.stderr).splitlines() if federation.client_secret in line]
    (tmp_path / "out.txt").write_text(done.stdout + "\n=====\n" + done.stderr)
    assert leaked == [], "the client secret is in the output (see %s)" % (tmp_path / "out.txt")
    print("%d bad inputs refused, writes %s" % (len(CASES), writes))
