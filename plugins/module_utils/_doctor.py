# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The doctor: reads both sides of a federation, made by the collection or by hand, and says of each of
the 7 steps of the manual procedure whether it is right, with the fix when it is not. Nothing is
ever written. The reads are the managers' own (:mod:`._oci.app`, :mod:`._oci.token_policy`,
:mod:`._aws.provider`, :mod:`._aws.role`); given the client secret, one token is requested and one
``AssumeRoleWithWebIdentity`` tried through the exchange itself (:mod:`._exchange.sts`), whose
preflight and diagnosis of STS's refusals (:class:`.._errors.Breakpoint`) name the step.

:func:`read_app`, :func:`read_settings`, :func:`read_provider` and :func:`read_role` serve the
``*_info`` modules too.
"""

from __future__ import annotations

import json
import time

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import (
    FIX_APP, FIX_AWS, FIX_POLICY, Breakpoint, OciAwsError, OptionError
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.app import APP_ATTRIBUTES, GRANT, view as app_view
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.token_policy import FIELDS, view as settings_view
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.policy import WEB_IDENTITY_ACTION, trust_findings
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.provider import ProviderManager
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.role import RoleManager
from ansible_collections.multicloud.oci_aws.plugins.module_utils._urls import OCI_DEFAULT_ISSUERS, issuer_for_domain
from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import DEFAULT_AUDIENCE, check_audience, scope_for

# The steps of the manual procedure (shared/reference/manual-procedure.txt), as the report names them.
STEPS = (
    ("1", "a confidential integrated application with OAuth"),
    ("2", "its resource server (2.1: primary audience, scope), OAuth client (2.2: client credentials grant, the "
          "resource's scope) and activation (2.3)"),
    ("3", "the domain's token issuer is the domain URL"),
    ("4", "the signing keys are public (Configure client access)"),
    ("5", "the IAM OIDC provider and the role whose trust policy names it and the audience"),
    ("6", "an access token from the client credentials grant, as STS will check it"),
    ("7", "AWS STS AssumeRoleWithWebIdentity returns credentials"),
)
RIGHT, WRONG, NOT_CHECKED = "right", "wrong", "not_checked"
# What trust_findings says when it finds no condition that refuses the claims.
_NO_TRUST_FINDING = "Compare its conditions with the token's claims."


# -- reads (the *_info modules' too) ------------------------------------------------------------

def read_app(client, display_name=None, client_id=None):
    """The views (:func:`.._oci.app.view`) of the apps with ``display_name`` or ``client_id``: a filtered search."""
    if bool(display_name) == bool(client_id):
        raise OptionError("display_name", "give display_name (the app's name in the console) or client_id, one of them")
    scim_filter = ("displayName eq %s" % json.dumps(display_name) if display_name
                   else "name eq %s" % json.dumps(client_id))
    return [app_view(app) for app in client.find_apps(scim_filter, APP_ATTRIBUTES)]


def read_settings(client):
    """The issuer and the signing keys' public access, as :func:`.._oci.token_policy.view` shows them."""
    return settings_view(client.get_settings([attribute for _key, attribute in FIELDS]))


def read_provider(iam, issuer, account=None):
    """The IAM OIDC provider of ``issuer`` (``describe()``), or None."""
    provider = ProviderManager(iam, check_mode=True).find(issuer.split("://", 1)[-1].rstrip("/"), account)
    return None if provider is None else provider.describe()


def read_role(iam, name):
    """The role ``name`` (``describe()``: trust policy, maximum session duration...), or None."""
    role = RoleManager(iam, check_mode=True).find(name)
    return None if role is None else role.describe()


def role_name_of(role_arn):
    parts = (role_arn or "").split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[5].startswith("role/"):
        raise OptionError("role_arn", "role_arn must be the ARN of an IAM role, arn:aws:iam::<account>:role/<name>: "
                                      "got %r" % role_arn)
    return parts[5].rsplit("/", 1)[-1], (parts[1], parts[4])


# -- the report -----------------------------------------------------------------------------------

class Report:
    """The 7 steps, each ``right``, ``wrong`` or ``not_checked``, with its findings (problem and fix)."""

    def __init__(self):
        self.steps = dict((step, dict(step=step, title=title, status=NOT_CHECKED, findings=[])) for step, title in STEPS)

    def right(self, step, note=None):
        entry = self.steps[step]
        if entry["status"] == NOT_CHECKED:
            entry["status"] = RIGHT
        if note:
            entry["note"] = note

    def wrong(self, part, problem, fix, cause=True):
        """A finding at ``part`` (a step or a part of one, ``2.1``); ``cause`` false for a consequence of another."""
        entry = self.steps[part.split(".")[0]]
        entry["status"] = WRONG
        entry["findings"].append(dict(part=part, problem=problem, fix=fix, cause=cause))

    def as_dict(self):
        steps = [self.steps[step] for step, _title in STEPS]
        causes = [e["step"] for e in steps if any(f["cause"] for f in e["findings"])]
        return dict(
            ok=all(e["status"] == RIGHT for e in steps),
            broken_step=causes[0] if causes else None,
            wrong_steps=[e["step"] for e in steps if e["status"] == WRONG],
            steps=steps,
            summary=["step %s %s: %s" % (e["step"], e["status"].replace("_", " "), "; ".join(
                "[%s] %s -> %s" % (f["part"], f["problem"], f["fix"]) for f in e["findings"]) or e["title"])
                for e in steps],
        )


class FederationCheck:
    """Checks one federation. ``domain`` is a :class:`.._oci.domain.DomainClient`, ``iam`` an IAM ``AwsClient``;
    ``exchange(client_id)`` (or None: steps 6 and 7 are not checked) makes the
    :class:`.._exchange.sts.Exchange` to try."""

    def __init__(self, domain, iam, domain_url, role_arn, audience=None, display_name=None, client_id=None,
                 duration_seconds=None, exchange=None, clock=time.time):
        self.domain = domain
        self.iam = iam
        self.issuer = issuer_for_domain(domain_url)
        self.audience = check_audience(audience) if audience else None
        self.role_name, self.account = role_name_of(role_arn)
        self.role_arn = role_arn
        self.display_name = display_name
        self.client_id = client_id
        self.duration_seconds = duration_seconds
        self.exchange = exchange
        self.clock = clock
        self.report = Report()
        self.read = {}

    def run(self):
        app = self._check_app()
        settings = read_settings(self.domain)
        self.read["token_policy"] = settings
        self._check_settings(settings)
        self._check_aws(app)
        self._check_exchange(app)
        result = self.report.as_dict()
        result.update(self.read)
        return result

    # -- steps 1 and 2 ----------------------------------------------------------------------------
    def _check_app(self):
        report = self.report
        apps = read_app(self.domain, self.display_name, self.client_id)
        named = ("the app named %r (display_name)" % self.display_name if self.display_name
                 else "the app with client ID %r (client_id)" % self.client_id)
        if not apps:
            report.wrong("1", "%s is not in the domain %s" % (named, self.issuer),
                         "create it as a Confidential Application in Integrated Applications, or give the display_name "
                         "or client_id of the app you made; or %s" % FIX_APP)
            return None
        if len(apps) > 1:
            report.wrong("1", "%s matches %d apps" % (named, len(apps)), "give the app's client_id instead")
            return None
        app = apps[0]
        self.read["app"] = app
        if self.audience is None:
            self.audience = app["audience"] or DEFAULT_AUDIENCE
        if app["client_type"] != "confidential" or not app["is_oauth_client"]:
            report.wrong("1", "%s is a %s app%s" % (named, app["client_type"], "" if app["is_oauth_client"] else
                                                    " without OAuth"),
                         "it must be a Confidential Application with OAuth: create one, or %s" % FIX_APP)
        else:
            report.right("1")
        self._check_resource_server(app)
        self._check_client(app)
        if not app["active"]:
            report.wrong("2.3", "the app is not activated", "activate it (Actions > Activate), or %s" % FIX_APP)
        report.right("2")
        return app

    def _check_resource_server(self, app):
        wrong = self.report.wrong
        if not app["is_oauth_resource"]:
            wrong("2.1", "the app is not a resource server: its tokens cannot carry the audience %s" % self.audience,
                  "Edit OAuth configuration > Configure this application as a resource server now, primary audience %s "
                  "and scope /; or %s" % (self.audience, FIX_APP))
            return
        if app["audience"] != self.audience:
            wrong("2.1", "the app's primary audience is %r but AWS is to expect %r (audience)" % (app["audience"],
                                                                                                  self.audience),
                  "set the primary audience to %s, or give audience: %s if AWS is set up for that; or %s"
                  % (self.audience, app["audience"], FIX_APP))
        if app["secondary_audiences"]:
            wrong("2.1", "the app has secondary audiences %s: its tokens then carry several audiences, and STS needs "
                         "exactly one" % ", ".join(app["secondary_audiences"]),
                  "remove the secondary audiences; or %s" % FIX_APP)
        if "/" not in [s["value"] for s in app["scopes"]]:
            wrong("2.1", "the resource server has no scope / (its scopes: %s)" % (
                ", ".join(s["value"] for s in app["scopes"]) or "none"), "add the scope /; or %s" % FIX_APP)

    def _check_client(self, app):
        wrong = self.report.wrong
        if GRANT not in app["allowed_grants"]:
            wrong("2.2", "the OAuth client does not allow the client credentials grant (allowed: %s)"
                  % (", ".join(app["allowed_grants"]) or "none"),
                  "Configure this application as a client now > Client Credentials; or %s" % FIX_APP)
        wanted = scope_for(app["audience"] or self.audience)
        if app["is_oauth_resource"] and wanted not in app["allowed_scopes"]:
            wrong("2.2", "the OAuth client may not request the scope %s of its resource server (allowed scopes: %s)"
                  % (wanted, ", ".join(app["allowed_scopes"]) or "none"),
                  "under Resources, Add Resources and select this app's resource server; or %s" % FIX_APP)

    # -- steps 3 and 4 ----------------------------------------------------------------------------
    def _check_settings(self, settings):
        issuer = settings["issuer"]
        if issuer == self.issuer:
            self.report.right("3")
        elif issuer in OCI_DEFAULT_ISSUERS or not issuer:
            shown = issuer or "not set (the service's default, %s)" % OCI_DEFAULT_ISSUERS[0]
            self.report.wrong("3", "the domain's issuer is %s, the service default, but AWS expects %s" % (shown, self.issuer),
                              "Security > OAuth settings > Default token issuance policy: set the issuer to %s; or %s"
                              % (self.issuer, FIX_POLICY))
        else:
            self.report.wrong("3", "the domain's issuer is %s but the domain URL is %s: they must be identical" % (
                issuer, self.issuer), "set the issuer to %s; or %s" % (self.issuer, FIX_POLICY))
        if settings["signing_cert_public_access"]:
            self.report.right("4")
        else:
            self.report.wrong("4", "the signing keys are not public: AWS cannot read the domain's JWKS",
                              "Domain settings > Configure client access; or %s (signing_cert_public_access: true)"
                              % FIX_POLICY)

    # -- step 5 -----------------------------------------------------------------------------------
    def _check_aws(self, app):
        wrong = self.report.wrong
        audience = self.audience or DEFAULT_AUDIENCE
        provider = read_provider(self.iam, self.issuer, self.account)
        self.read["provider"] = provider
        fix = "%s with issuer_url: %s and audience: %s" % (FIX_AWS, self.issuer, audience)
        if provider is None:
            wrong("5", "the account %s has no IAM OIDC provider for %s" % (self.account[1], self.issuer),
                  "IAM > Identity providers > Add provider, OpenID Connect, URL %s, audience %s; or %s"
                  % (self.issuer, audience, fix))
        elif audience not in provider["client_ids"]:
            wrong("5", "the audience %s is not a client ID of the IAM OIDC provider (its client IDs: %s)"
                  % (audience, ", ".join(provider["client_ids"]) or "none"),
                  "add the audience %s to the provider; or %s" % (audience, fix))
        role = read_role(self.iam, self.role_name)
        self.read["role"] = role
        if role is None:
            wrong("5", "the role %s does not exist" % self.role_arn, "create it with the trust policy of step 5; or %s "
                  "with role_name: %s" % (fix, self.role_name))
            return
        provider_id = self.issuer.split("://", 1)[1]
        provider_arn = "arn:%s:iam::%s:oidc-provider/%s" % (self.account[0], self.account[1], provider_id)
        claims = {"aud": audience}
        if app is not None:
            claims["sub"] = app["client_id"]
        findings = [f for f in trust_findings(role["trust_policy"] or {}, provider_arn, provider_id, claims)
                    if f != _NO_TRUST_FINDING]
        if findings:
            wrong("5", "the trust policy of %s refuses the tokens of the app: %s" % (self.role_arn, " ".join(findings)),
                  "make it allow %s for Principal {\"Federated\": \"%s\"} with StringEquals %s:aud = %s%s; or %s with "
                  "role_name: %s" % (WEB_IDENTITY_ACTION, provider_arn, provider_id, audience,
                                     " (and %s:sub = %s)" % (provider_id, claims["sub"]) if "sub" in claims else "",
                                     fix, self.role_name))
        wanted = self.duration_seconds
        if wanted and role["max_session_duration"] and wanted > role["max_session_duration"]:
            wrong("5", "duration_seconds %d is above the role's maximum session duration, %d seconds"
                  % (wanted, role["max_session_duration"]),
                  "ask for at most %d seconds, or raise the role's maximum session duration" % role["max_session_duration"])
        self.report.right("5")

    # -- steps 6 and 7 ----------------------------------------------------------------------------
    def _check_exchange(self, app):
        report = self.report
        if self.exchange is None:
            for step in ("6", "7"):
                report.steps[step]["note"] = "not tried: give client_secret to get one token and try STS"
            return
        client_id = self.client_id or (app or {}).get("client_id")
        if client_id is None:
            report.steps["6"]["note"] = "not tried: no app, so no client ID"
            return
        exchange = self.exchange(client_id, self.audience or DEFAULT_AUDIENCE)
        source = exchange.spec.token_source
        try:
            token = source.current(self.clock())
        except Breakpoint as exc:
            self._breakpoint(exc, "6")
            return
        except OciAwsError as exc:
            report.wrong("6", exc.msg, "see the message")
            return
        report.steps["6"]["note"] = "a token was issued (sub %s, aud %s)" % (token.claims.get("sub"),
                                                                             ", ".join(map(str, token.audiences())))
        try:
            credentials = exchange.run()
        except Breakpoint as exc:
            self._breakpoint(exc, "7")
            return
        except OciAwsError as exc:
            report.wrong("7", exc.msg, "see the message")
            return
        report.right("6")
        report.right("7", "STS returned credentials for %s, valid until %s (not shown, never kept)"
                     % (credentials.assumed_role_arn, credentials.expiration))

    def _breakpoint(self, exc, acting):
        """A :class:`Breakpoint` raised while doing step ``acting``: a finding at its own step; ``acting`` (and 7)
        fail as its consequence."""
        message = exc.msg.rsplit(" [step ", 1)[0]
        self.report.wrong(exc.step, message, "the fix is in the problem's text")
        root = exc.step.split(".")[0]
        for step in ("6", "7"):
            if step != root and step >= acting:
                self.report.wrong(step, "failed because of step %s" % exc.step, "fix step %s" % exc.step, cause=False)
            elif step < acting and step != root:
                self.report.right(step)


# -- the module's options ---------------------------------------------------------------------------

def check_argument_spec():
    """The options of ``oci_aws_federation_check``: the OCI connection's (but ``region``, which is AWS's here), the AWS
    connection's, the app, the role and, to try steps 6 and 7, the client secret."""
    # Imported here: the _info modules import this file for the reads only.
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.domain import oci_argument_spec
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import aws_argument_spec

    spec = oci_argument_spec()
    del spec["region"]
    spec.update(aws_argument_spec())
    spec.update(
        display_name=dict(type="str", no_log=False),
        client_id=dict(type="str", no_log=False),
        client_secret=dict(type="str", no_log=True),
        role_arn=dict(type="str", required=True, no_log=False),
        audience=dict(type="str", no_log=False),
        duration_seconds=dict(type="int", default=900, no_log=False),
    )
    return spec


def check_from_params(params):
    """The :class:`FederationCheck` of a module's parameters; nothing is sent before :meth:`FederationCheck.run`."""
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.domain import connect, connection_options
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import AwsConnection
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import OptionAdapter
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.spec import ExchangeSpec
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.sts import Exchange
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import CONNECTION_OPTIONS
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import Deadline, Retrier, check_timeout

    oci_options = connection_options(params)
    oci_options["region"] = None  # the OCI region comes from OCI_REGION or the config profile here
    aws_options = dict((name, params.get(name)) for name in CONNECTION_OPTIONS)
    deadline = Deadline(check_timeout(params["timeout"]))
    iam = AwsConnection.from_options(aws_options, retrier=Retrier(deadline=deadline)).client("iam")
    exchange = None
    if params.get("client_secret"):
        def exchange(client_id, audience):
            options = dict(aws_options, domain_url=params["domain_url"], client_id=client_id,
                           client_secret=params["client_secret"], cert_bundle=params.get("cert_bundle"),
                           audience=audience, role_arn=params["role_arn"], role_session_name="oci-aws-federation-check",
                           duration_seconds=params["duration_seconds"], timeout=params["timeout"])
            return Exchange(ExchangeSpec.from_options(OptionAdapter.from_dict(options)))
    return FederationCheck(connect(**oci_options), iam, params["domain_url"], params["role_arn"],
                           audience=params.get("audience"), display_name=params.get("display_name"),
                           client_id=params.get("client_id"), duration_seconds=params["duration_seconds"],
                           exchange=exchange)
