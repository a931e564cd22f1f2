# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

What the module ``oci_aws_assume`` does, without the module: check its options, make the
exchange (``_exchange``), then write the AWS profiles asked for (``_aws_files``,
``_credential_process``), each only when it differs, none in check mode.
"""

from __future__ import annotations

import os

from ansible.module_utils.common.parameters import env_fallback

from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.aws_files import check_profile, credentials_change, shadowing_credentials
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import AwsConnection
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import MalformedAnswer, OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._paths import check_trusted
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import Breakpoint
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credential_process import ProcessProfile
from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import check_path_text
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.sts import Exchange
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.spec import ExchangeSpec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import OptionAdapter, exchange_argument_spec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import (
    DEFAULT_PROPAGATION_TIMEOUT, PROPAGATION_OPTION, PropagationWait, check_propagation_timeout
)

DEFAULT_PROCESS_DIR = "~/.aws/multicloud.oci_aws"


def assume_argument_spec():
    """The module's options: the exchange's, and the profiles it may write."""
    spec = exchange_argument_spec()
    spec.update(
        credentials_profile=dict(type="str"),
        aws_shared_credentials_file=dict(type="path", no_log=False,
                                         fallback=(env_fallback, ["AWS_SHARED_CREDENTIALS_FILE"])),
        credential_process_profile=dict(type="str"),
        aws_config_file=dict(type="path", fallback=(env_fallback, ["AWS_CONFIG_FILE"])),
        credential_process_dir=dict(type="path", default=DEFAULT_PROCESS_DIR),
        credential_process_cache_dir=dict(type="path"),
        verify_caller_identity=dict(type="bool", default=False),
        wait_for_propagation=dict(type="bool", default=False),
        propagation_timeout=dict(type="int", default=DEFAULT_PROPAGATION_TIMEOUT),
    )
    return spec


def _aws_file(path, name):
    return os.path.expanduser(path or os.path.join("~", ".aws", name))


class Assume:
    """The exchange and the profiles, every option checked before any request."""

    def __init__(self, options, spec, credentials_file, credentials_profile=None, process=None, verify=False,
                 propagation=None):
        self.options = options
        self.verify = verify
        self.spec = spec
        self.credentials_file = credentials_file
        self.credentials_profile = credentials_profile
        self.process = process
        self.propagation = propagation
        self.exchange = Exchange(spec, propagation=propagation)

    @classmethod
    def from_params(cls, params):
        options = OptionAdapter.from_dict(params)
        spec = ExchangeSpec.from_options(options)
        for name in ("credentials_profile", "credential_process_profile"):
            if params.get(name) is not None:
                check_profile(params[name], name)
        for name in ("aws_shared_credentials_file", "aws_config_file"):
            if params.get(name):
                check_path_text(params[name], name)
        process = None
        process_profile = params.get("credential_process_profile")
        if process_profile is not None:
            if process_profile == params.get("credentials_profile"):
                raise OptionError("credential_process_profile", "credential_process_profile and credentials_profile "
                                                                "must differ: keys in the shared credentials file are "
                                                                "used before credential_process")
            ProcessProfile.check_options(options)
            process = ProcessProfile(process_profile, _aws_file(params.get("aws_config_file"), "config"),
                                     os.path.expanduser(params.get("credential_process_dir") or DEFAULT_PROCESS_DIR),
                                     params.get("credential_process_cache_dir"))
        seconds = check_propagation_timeout(params.get("propagation_timeout"))
        propagation = None
        if params.get("wait_for_propagation") and seconds > 0:
            # The exchange may wait that long on top of timeout for this run's IAM changes to reach STS.
            if spec.deadline is not None:
                spec.deadline.extend(seconds, PROPAGATION_OPTION)
            propagation = PropagationWait(seconds, deadline=spec.deadline)
        return cls(options, spec, _aws_file(params.get("aws_shared_credentials_file"), "credentials"),
                   params.get("credentials_profile"), process, verify=bool(params.get("verify_caller_identity")),
                   propagation=propagation)

    def caller_identity(self, credentials, sts=None):
        """STS ``GetCallerIdentity`` signed with ``credentials``: proof that AWS accepts them as the role session."""
        if sts is None:
            connection = self.spec.connection
            signed = AwsConnection(region=self.exchange.region or connection.region, access_key=credentials.access_key,
                                   secret_key=credentials.secret_key, session_token=credentials.session_token,
                                   endpoint_url=connection.endpoint_url, aws_ca_bundle=connection.aws_ca_bundle,
                                   aws_config=connection.aws_config, retrier=connection.retrier)
            # One record of the task's AWS calls (debug_botocore_endpoint_logs).
            signed.actions = connection.actions
            sts = signed.client("sts")
        answer = sts.call("get_caller_identity")
        identity = dict(arn=answer.get("Arn"), account=answer.get("Account"), user_id=answer.get("UserId"))
        if not all(isinstance(value, str) for value in identity.values()):
            raise MalformedAnswer("AWS %s" % sts.endpoint("get_caller_identity"), "no Arn, Account or UserId",
                                  status=getattr(sts, "last_status", None))
        if identity["arn"] != credentials.assumed_role_arn:
            raise Breakpoint(
                "7", "STS GetCallerIdentity with the new credentials says %s, not the role session %s: the STS "
                     "endpoint or region (region, endpoint_url) is not of the role's account and partition"
                     % (identity["arn"], credentials.assumed_role_arn), caller_identity=identity)
        return identity

    @property
    def warnings(self):
        return self.spec.warnings

    def check_paths(self):
        """Refuse, before any request, a file path that another local user could replace (``_paths.check_trusted``)."""
        if self.credentials_profile is not None:
            check_trusted(os.path.dirname(os.path.abspath(self.credentials_file)), "aws_shared_credentials_file")
        if self.process is not None:
            check_trusted(self.process.directory, "credential_process_dir")
            check_trusted(os.path.dirname(os.path.abspath(self.process.config_file)), "aws_config_file")

    def run(self, check_mode, diff, python):
        """The module's result; ``python`` is the interpreter that a credential_process runs with."""
        self.check_paths()
        credentials = self.exchange.run()
        result = credentials.as_dict()
        if self.propagation is not None:
            result["propagation"] = self.propagation.summary()
        if self.verify:
            result["caller_identity"] = self.caller_identity(credentials)
        changes = []
        if self.credentials_profile is not None:
            changes.append(credentials_change(self.credentials_file, self.credentials_profile, credentials))
            result["credentials_file"] = dict(path=changes[-1].path, profile=self.credentials_profile)
        if self.process is not None:
            changes.extend(self.process.changes(self.options, self.exchange.region, python))
            result["credential_process"] = dict(
                config_file=changes[-1].path, profile=self.process.profile, command=self.process.command(python),
                settings_file=self.process.settings_file)
            shadow = shadowing_credentials(self.credentials_file, self.process.profile)
            if shadow:
                self.spec.warnings.append(shadow)
        for change in changes:
            self.spec.warnings.extend(change.warnings)
        changed = False
        for change in changes:
            changed = change.apply(check_mode) or changed
        result["changed"] = changed
        if diff:
            result["diff"] = [change.diff() for change in changes if change.changed]
        return result
