"""python -m oci_aws_sandbox.walkthrough: the manual procedure against a running sandbox, step by step.

Prints what each step did; never a secret (client secret, token, AWS keys are shown as lengths).
"""

import base64
import json
import os
import sys

from .handle import attach
from .procedure import ManualProcedure


def claims_of(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def main(directory):
    sandbox = attach(directory)
    if sandbox is None:
        print("no sandbox answers in %s: run `python -m oci_aws_sandbox up --dir %s` first" % (directory, directory),
              file=sys.stderr)
        return 1
    sandbox.reset()
    p = ManualProcedure(sandbox)
    show = print
    show("The manual procedure (shared/reference/manual-procedure.txt) against the sandbox\n")
    app = p.create_app()
    show("Steps 1-2  confidential app created: resource server (audience %s, scope %s) and client" % (p.audience, p.scope_value))
    show("           (client_credentials, allowed scope %s), activated; client id %s, secret [%d characters, not shown]"
         % (p.fqs, app["client_id"], len(app["client_secret"])))
    p.set_issuer()
    show("Step 3     domain token issuer set to %s" % p.domain_url)
    p.make_signing_keys_public()
    show("Step 4     signing keys public (Configure client access)")
    p.create_provider_and_role()
    show("Step 5     IAM OIDC provider %s" % p.provider_arn)
    show("           role %s trusting it with %s:aud = %s" % (p.role_arn, p.domain_url.split("://")[1], p.audience))
    token = p.token()
    claims = claims_of(token)
    show("Step 6     access token [%d characters, not shown]: iss=%s aud=%s sub=%s exp in %d s"
         % (len(token), claims["iss"], claims["aud"], claims["sub"], claims["exp"] - claims["iat"]))
    answer = p.assume(token)
    credentials = answer["Credentials"]
    show("Step 7     STS AssumeRoleWithWebIdentity: %s" % answer["AssumedRoleUser"]["Arn"])
    show("           temporary credentials: key id %s..., expire %s (secret and session token not shown)"
         % (credentials["AccessKeyId"][:4], credentials["Expiration"].isoformat()))
    bucket, body = p.s3_roundtrip(credentials)
    show("Use        S3 with the temporary credentials: wrote and read s3://%s/hello.txt (%r)" % (bucket, body.decode()))
    counters = sandbox.counters()
    show("\nRequests seen by the sandbox: OCI %d (%s), AWS %d (%s)" % (
        counters["oci"]["total"], ", ".join("%s %d" % kv for kv in sorted(counters["oci"]["summary"].items())),
        counters["aws"]["total"], ", ".join("%s %d" % kv for kv in sorted(counters["aws"]["summary"].items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SANDBOX_DIR", ".sandbox")))
