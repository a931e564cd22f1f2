"""Fakes for the exchange tests: tokens shaped like an identity domain's, a scripted token endpoint,
and STS behind botocore's Stubber (the real client, model validation included; nothing sent)."""

import base64
import datetime
import json
import time

from botocore.stub import Stubber

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import AwsConnection
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.aws_fakes import no_wait_retrier

DOMAIN_URL = "https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com"
TOKEN_URL = DOMAIN_URL + "/oauth2/v1/token"
PROVIDER_ID = DOMAIN_URL[len("https://"):]
ACCOUNT = "123456789012"
ROLE_ARN = "arn:aws:iam::%s:role/oci-reporting" % ACCOUNT
CLIENT_ID = "6a0e2f6d3c1b4f0f9d2f7d0e8c6b5a41"
CLIENT_SECRET = "idcscs-0f6c1d2e-secret-value-9a8b7c"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FQoGZXIvYXdzEXAMPLE-session-token/+="
NOW = 1_800_000_000


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_token(now=NOW, **claims):
    """A token with the claims an identity domain issues (``name=None`` drops a claim)."""
    body = {"sub": CLIENT_ID, "iss": DOMAIN_URL, "tok_type": "AT", "client_id": CLIENT_ID, "aud": "sts.amazon.com",
            "sub_type": "client", "scope": "/", "exp": now + 3600, "iat": now, "jti": "j-%s" % time.time()}
    body.update(claims)
    body = dict((k, v) for k, v in body.items() if v is not None)
    header = {"x5t": "abc", "kid": "SIGNING_KEY", "alg": "RS256"}
    return "%s.%s.%s" % (b64url(json.dumps(header).encode()), b64url(json.dumps(body).encode()), b64url(b"signature"))


class TokenEndpoint:
    """A scripted ``post``: each answer is ``(status, headers, body)`` or an exception to raise."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []

    def __call__(self, url, body, headers, cert_bundle=None, timeout=None):
        self.requests.append(dict(url=url, body=body, headers=headers, cert_bundle=cert_bundle))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, BaseException):
            raise answer
        return answer


def token_answer(token=None, **claims):
    return 200, {}, json.dumps({"access_token": token or make_token(**claims), "token_type": "Bearer",
                                "expires_in": 3600}).encode()


def oauth_error(status, error, description="refused"):
    return status, {}, json.dumps({"error": error, "error_description": description}).encode()


def sts_client(retries=4):
    """STS as the exchange uses it (unsigned, no AWS credentials), with a Stubber to script answers."""
    client = AwsConnection(region="us-east-1", retrier=no_wait_retrier(max_attempts=retries)).client("sts", unsigned=True)
    stubber = Stubber(client.client)
    stubber.activate()
    return client, stubber


def sts_success(stubber, expected=None, duration=3600, role_arn=ROLE_ARN, session="ansible-oci-aws"):
    expiration = datetime.datetime.fromtimestamp(NOW + duration, datetime.timezone.utc)
    stubber.add_response("assume_role_with_web_identity", {
        "Credentials": {"AccessKeyId": "ASIAEXAMPLEEXAMPLE01", "SecretAccessKey": SECRET_KEY,
                        "SessionToken": SESSION_TOKEN, "Expiration": expiration},
        "AssumedRoleUser": {"Arn": "arn:aws:sts::%s:assumed-role/oci-reporting/%s" % (ACCOUNT, session),
                            "AssumedRoleId": "AROAEXAMPLE:%s" % session},
        "SubjectFromWebIdentityToken": CLIENT_ID,
    }, expected)


def sts_error(stubber, code, message, status=400):
    stubber.add_client_error("assume_role_with_web_identity", service_error_code=code, service_message=message,
                             http_status_code=status, response_meta={"RequestId": "req-%s" % code})
