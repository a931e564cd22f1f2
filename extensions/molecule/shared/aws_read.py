"""Read AWS back with boto3 alone, for the molecule scenarios' verify and destroy (JSON on stdout, no secret).

    aws_read.py iam <issuer URL> <role name>...   the IAM OIDC provider of the issuer and the roles, as IAM has them
    aws_read.py caller                            STS GetCallerIdentity and S3 ListBuckets with the environment's keys

Endpoint, CA bundle, region and keys come from the standard AWS environment variables.
"""

import json
import sys
from urllib.parse import unquote

import boto3
from botocore.exceptions import ClientError


def iam_state(issuer, role_names):
    iam = boto3.client("iam")
    host = issuer.split("://", 1)[-1].rstrip("/")
    provider = None
    for item in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        if item["Arn"].split(":oidc-provider/", 1)[-1] == host:
            found = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=item["Arn"])
            provider = {"arn": item["Arn"], "url": found.get("Url"), "client_ids": found.get("ClientIDList", [])}
    roles = {}
    for name in role_names:
        try:
            role = iam.get_role(RoleName=name)["Role"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "NoSuchEntity":
                raise
            continue
        trust = role["AssumeRolePolicyDocument"]
        if isinstance(trust, str):
            trust = json.loads(unquote(trust))
        roles[name] = {
            "arn": role["Arn"],
            "path": role["Path"],
            "max_session_duration": role.get("MaxSessionDuration"),
            "trust_policy": trust,
            "inline_policies": iam.list_role_policies(RoleName=name)["PolicyNames"],
            "tags": {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name)["Tags"]},
        }
    return {"provider": provider, "roles": roles}


def caller():
    arn = boto3.client("sts").get_caller_identity()["Arn"]
    try:
        buckets = [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]]
        s3_error = None
    except ClientError as exc:
        buckets, s3_error = None, exc.response["Error"]["Code"]
    return {"arn": arn, "buckets": buckets, "s3_error": s3_error}


def main(argv):
    if len(argv) >= 2 and argv[0] == "iam":
        result = iam_state(argv[1], argv[2:])
    elif argv == ["caller"]:
        result = caller()
    else:
        sys.exit(__doc__)
    json.dump(result, sys.stdout, sort_keys=True)
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
