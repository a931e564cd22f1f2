"""The published manual procedure (shared/reference/manual-procedure.txt), done literally against
the sandbox with an ordinary HTTP client and boto3: no collection code.

The OCI console steps become the REST calls the console makes (signed with the OCI API key by
the `oci` SDK's request signer, used as a `requests` auth handler); the curl token request and
the `aws sts assume-role-with-web-identity` call are made as the procedure shows them. Each step
takes switches that leave it undone or do it wrong, so that tests can show which error every
missing step produces. The fidelity tests (sandbox/tests) and the collection's end-to-end tests and benchmarks use it.
"""

import json
import secrets

import boto3
import oci
import requests
from botocore import UNSIGNED
from botocore.config import Config

APP_SCHEMA = "urn:ietf:params:scim:schemas:oracle:idcs:App"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
STATUS_SCHEMA = "urn:ietf:params:scim:schemas:oracle:idcs:AppStatusChanger"
SCIM_HEADERS = {"Accept": "application/json, application/scim+json", "Content-Type": "application/json"}


class StepFailed(RuntimeError):
    """A console/REST step was refused by the domain (status and SCIM detail in the message)."""


class ManualProcedure:
    def __init__(self, sandbox, audience="sts.amazon.com", scope_value="/", role_name=None):
        self.sandbox = sandbox
        env = sandbox.env
        self.domain_url = env["OCI_DOMAIN_URL"]
        self.audience = audience
        self.scope_value = scope_value
        self.role_name = role_name or "oci-federated-" + secrets.token_hex(3)
        config = oci.config.from_file(env["OCI_CONFIG_FILE"], env["OCI_CONFIG_PROFILE"])
        self.http = requests.Session()
        # Per request, not Session.verify: requests lets REQUESTS_CA_BUNDLE override a session's.
        self.ca_bundle = env["SANDBOX_CA_BUNDLE"]
        self.http.auth = oci.signer.Signer(
            config["tenancy"], config["user"], config["fingerprint"], private_key_file_location=config["key_file"]
        )
        aws = dict(
            endpoint_url=env["AWS_ENDPOINT_URL"], verify=env["AWS_CA_BUNDLE"], region_name=env["AWS_DEFAULT_REGION"],
        )
        admin = dict(aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])
        self.aws = aws
        self.iam = boto3.client("iam", **aws, **admin)
        # AssumeRoleWithWebIdentity is an unsigned call: no AWS credentials at all.
        self.sts = boto3.client("sts", config=Config(signature_version=UNSIGNED), **aws)
        self.app = None
        self.provider_arn = None
        self.role_arn = None

    # -- OCI -------------------------------------------------------------------------------
    def _admin(self, method, path, body=None):
        response = self.http.request(method, self.domain_url + path, headers=SCIM_HEADERS, verify=self.ca_bundle,
                                     data=None if body is None else json.dumps(body), timeout=10)
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail")
            except ValueError:
                detail = response.text[:200]
            raise StepFailed("%s %s: HTTP %d: %s" % (method, path, response.status_code, detail))
        return response.json() if response.content else None

    def create_app(self, display_name=None, resource_server=True, client_grant=True, activate=True,
                   secondary_audiences=None):
        """Steps 1 and 2: a confidential app, resource server (2.1) and client (2.2), activated (2.3)."""
        body = {
            "schemas": [APP_SCHEMA],
            "displayName": display_name or "aws-sts-oidc-" + secrets.token_hex(3),
            "basedOnTemplate": {"value": "CustomWebAppTemplateId"},
            "clientType": "confidential",
            "isOAuthClient": True,
            "allowedGrants": ["client_credentials"] if client_grant else [],
        }
        if resource_server:
            body.update(isOAuthResource=True, audience=self.audience,
                        scopes=[{"value": self.scope_value, "description": "all"}])
            if secondary_audiences:
                body["secondaryAudiences"] = list(secondary_audiences)
        app = self._admin("POST", "/admin/v1/Apps", body)
        if resource_server:
            # 2.2 "Add resources": the client may request the app's own scope.
            self._admin("PATCH", "/admin/v1/Apps/" + app["id"], {
                "schemas": [PATCH_SCHEMA],
                "Operations": [{"op": "add", "path": "allowedScopes", "value": [{"fqs": self.fqs}]}],
            })
        if activate:
            self._admin("PUT", "/admin/v1/AppStatusChanger/" + app["id"], {"schemas": [STATUS_SCHEMA], "active": True})
        self.app = {"id": app["id"], "client_id": app["name"], "client_secret": app["clientSecret"]}
        return self.app

    @property
    def fqs(self):
        return self.audience + self.scope_value

    def set_issuer(self, issuer=None):
        """Step 3: the domain's token issuer becomes its own URL (the JWT `iss`)."""
        self._patch_settings("issuer", issuer or self.domain_url)

    def make_signing_keys_public(self, public=True):
        """Step 4: "Configure client access", so that anyone (AWS) can read the JWKS."""
        self._patch_settings("signingCertPublicAccess", public)

    def _patch_settings(self, path, value):
        self._admin("PATCH", "/admin/v1/Settings/Settings", {
            "schemas": [PATCH_SCHEMA], "Operations": [{"op": "replace", "path": path, "value": value}],
        })

    # -- AWS -------------------------------------------------------------------------------
    def create_provider_and_role(self, issuer=None, client_ids=None, condition_audience=None,
                                 condition_sub=None, max_session_duration=3600):
        """Step 5: the IAM OIDC provider for the issuer and a role that trusts it."""
        issuer = issuer or self.domain_url
        provider_id = issuer.split("://", 1)[1]
        try:
            self.provider_arn = self.iam.create_open_id_connect_provider(
                Url=issuer, ClientIDList=list(client_ids or [self.audience]),
            )["OpenIDConnectProviderArn"]
        except self.iam.exceptions.EntityAlreadyExistsException:
            self.provider_arn = "arn:aws:iam::%s:oidc-provider/%s" % (self.sandbox.account_id, provider_id)
        conditions = {provider_id + ":aud": condition_audience or self.audience}
        if condition_sub:
            conditions[provider_id + ":sub"] = condition_sub
        trust = {
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": self.provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": conditions},
            }],
        }
        self.role_arn = self.iam.create_role(
            RoleName=self.role_name, AssumeRolePolicyDocument=json.dumps(trust), MaxSessionDuration=max_session_duration,
        )["Role"]["Arn"]
        self.iam.put_role_policy(RoleName=self.role_name, PolicyName="s3", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        }))
        self.settle()
        return self.role_arn

    def settle(self):
        """Make this set-up's IAM writes visible to STS at once (the sandbox's back door ``POST /iam/settle``).
        Under ``iam_propagation_seconds`` N a person following the published procedure waits N seconds after
        step 5; the sandbox's own set-up skips that wait explicitly. The collection never calls it: its own
        writes are waited for (`wait_for_propagation`)."""
        self.sandbox.settle_iam()

    # -- steps 6 and 7 ---------------------------------------------------------------------
    def request_token(self, scope=None, client_secret=None):
        """Step 6: the client-credentials grant (curl -u id:secret -d grant_type=...&scope=...)."""
        response = requests.post(
            self.domain_url + "/oauth2/v1/token",
            auth=(self.app["client_id"], client_secret or self.app["client_secret"]),
            data={"grant_type": "client_credentials", "scope": scope or self.fqs},
            verify=self.sandbox.ca_bundle,
            timeout=10,
        )
        return response

    def token(self, **kwargs):
        response = self.request_token(**kwargs)
        if response.status_code != 200:
            raise StepFailed("token request: HTTP %d: %s" % (response.status_code, response.text))
        return response.json()["access_token"]

    def assume(self, token, duration_seconds=900, session_name="oci-oidc-test"):
        """Step 7: aws sts assume-role-with-web-identity."""
        return self.sts.assume_role_with_web_identity(
            RoleArn=self.role_arn, RoleSessionName=session_name, WebIdentityToken=token,
            DurationSeconds=duration_seconds,
        )

    def s3_roundtrip(self, credentials):
        """Use the temporary credentials: one bucket, one object written and read back."""
        s3 = boto3.client(
            "s3", aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"], **self.aws
        )
        bucket = "oci-federated-" + secrets.token_hex(4)
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="hello.txt", Body=b"hello from OCI")
        return bucket, s3.get_object(Bucket=bucket, Key="hello.txt")["Body"].read()

    def run_all(self):
        """Every step, in order; returns the STS answer."""
        self.create_app()
        self.set_issuer()
        self.make_signing_keys_public()
        self.create_provider_and_role()
        return self.assume(self.token())


class Federation:
    """Steps 1 to 5 done by the manual procedure on a sandbox: an app (its client ID and secret), the domain's issuer,
    its public signing keys, an IAM OIDC provider and a role that trusts it. What a client of the federation needs
    (`options()`) is then in hand; each step may be left undone or done wrong, to see what a client makes of that.

    `kwargs` go to :class:`ManualProcedure` (`audience`, `scope_value`, `role_name`).
    """

    def __init__(self, sandbox, **kwargs):
        self.sandbox = sandbox
        self.procedure = ManualProcedure(sandbox, **kwargs)

    def build(self, issuer=True, public_keys=True, role=True, **role_options):
        """Do the steps: `issuer`, `public_keys`, `role` false leave step 3, 4 or 5 undone; `app` (a dict) goes to
        :meth:`ManualProcedure.create_app`, the other `role_options` to
        :meth:`ManualProcedure.create_provider_and_role` (the role's trust names the app's client ID as `sub`
        unless `condition_sub` says otherwise)."""
        app = self.procedure.create_app(**role_options.pop("app", {}))
        if issuer:
            self.procedure.set_issuer()
        if public_keys:
            self.procedure.make_signing_keys_public()
        if role:
            role_options.setdefault("condition_sub", app["client_id"])
            self.procedure.create_provider_and_role(**role_options)
        return self

    @property
    def client_id(self):
        return self.procedure.app["client_id"]

    @property
    def client_secret(self):
        return self.procedure.app["client_secret"]

    @property
    def role_arn(self):
        """The role's ARN (the one it would have when step 5 was left undone)."""
        return self.procedure.role_arn or "arn:aws:iam::%s:role/%s" % (self.sandbox.account_id, self.procedure.role_name)

    def assumed_role_arn(self, session_name):
        """The ARN STS gives a session of the role named `session_name`."""
        return "arn:aws:sts::%s:assumed-role/%s/%s" % (self.sandbox.account_id, self.procedure.role_name, session_name)

    def options(self, **changes):
        """`domain_url`, `client_id`, `client_secret`, `role_arn` of this federation, with `changes` applied (a value
        of None drops the key); the CA bundle is in the sandbox's environment (`SANDBOX_CA_BUNDLE`)."""
        options = dict(domain_url=self.sandbox.domain_url, client_id=self.client_id, client_secret=self.client_secret,
                       role_arn=self.role_arn)
        options.update(changes)
        return dict((k, v) for k, v in options.items() if v is not None)
