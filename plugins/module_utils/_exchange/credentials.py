# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The temporary AWS credentials an exchange returns (:class:`Credentials`) and their output forms
(the module's result, ``version1`` for credential_process).
"""

from __future__ import annotations

import datetime
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import MalformedAnswer


class Credentials:
    """Temporary AWS credentials, in the forms callers return."""

    def __init__(self, access_key, secret_key, session_token, expiration, assumed_role_arn):
        self.access_key = access_key
        self.secret_key = secret_key
        self.session_token = session_token
        self.expiration = expiration
        self.assumed_role_arn = assumed_role_arn

    @classmethod
    def from_sts(cls, answer, endpoint="AWS sts:AssumeRoleWithWebIdentity", status=None):
        """From STS's parsed answer; anything that is not what the API documents is a :class:`MalformedAnswer`
        naming what is missing (never a value)."""

        def malformed(what):
            return MalformedAnswer(endpoint, what, status=status)

        credentials = answer.get("Credentials") if isinstance(answer, dict) else None
        if not isinstance(credentials, dict) or not credentials:
            raise malformed("no Credentials element")
        for name in ("AccessKeyId", "SecretAccessKey", "SessionToken"):
            if not isinstance(credentials.get(name), str) or not credentials[name]:
                raise malformed("no %s in the Credentials element" % name)
        expiration = credentials.get("Expiration")
        if isinstance(expiration, str):
            try:
                expiration = datetime.datetime.strptime(expiration.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S%z")
            except ValueError:
                raise malformed("an Expiration that is not an ISO 8601 time")
        if not isinstance(expiration, datetime.datetime):
            raise malformed("no Expiration in the Credentials element")
        if expiration.tzinfo is None:
            expiration = expiration.replace(tzinfo=datetime.timezone.utc)
        user = answer.get("AssumedRoleUser")
        if not isinstance(user, dict) or not isinstance(user.get("Arn"), str):
            raise malformed("no AssumedRoleUser Arn")
        return cls(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"],
                   expiration.astimezone(datetime.timezone.utc), user["Arn"])

    @property
    def expires_at(self):
        return self.expiration.timestamp()

    def as_dict(self):
        """amazon.aws's option names, the expiry in ISO 8601 UTC, and the standard environment variables."""
        return {
            "access_key": self.access_key,
            "secret_key": self.secret_key,
            "session_token": self.session_token,
            "expiration": self.expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "assumed_role_arn": self.assumed_role_arn,
            "environment": {
                "AWS_ACCESS_KEY_ID": self.access_key,
                "AWS_SECRET_ACCESS_KEY": self.secret_key,
                "AWS_SESSION_TOKEN": self.session_token,
            },
        }


def version1(credentials):
    """The credential_process answer (AWS CLI "Sourcing credentials with an external process"), from
    :class:`Credentials` or their cached form (``as_dict``)."""
    values = credentials if isinstance(credentials, dict) else credentials.as_dict()
    return {
        "Version": 1,
        "AccessKeyId": values["access_key"],
        "SecretAccessKey": values["secret_key"],
        "SessionToken": values["session_token"],
        "Expiration": values["expiration"],
    }
