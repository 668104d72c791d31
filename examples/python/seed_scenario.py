#!/usr/bin/python3
"""The seed scenario: an application asks for read-only AWS credentials,
uses them, and lets them expire; the engine's worker revokes them on time
and AWS then refuses the key.

    DYNCREDS_LOCAL_AWS=.../endpoint.json python3 seed_scenario.py

Talks to the local IAM/STS endpoint (tests/local_aws) named by
endpoint.json; botocore plays the application using the key.
"""
import base64
import json
import os
import sys
import tempfile
import time

import botocore.exceptions
import botocore.session

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dyncreds  # noqa: E402  (found next to this script)

TTL_SECONDS = 3


def main():
    with open(os.environ["DYNCREDS_LOCAL_AWS"]) as f:
        endpoint = json.load(f)
    url = endpoint["endpoint"]
    session = botocore.session.get_session()

    def sts(creds):
        return session.create_client("sts", region_name="us-east-1", endpoint_url=url,
                                     aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key)

    with tempfile.TemporaryDirectory() as state, dyncreds.Engine(
            store=os.path.join(state, "leases.db"), store_key=base64.b64encode(os.urandom(32)).decode(), poll_interval_ms=200,
            log=lambda level, line: print(f"  [engine {level}] {line}")) as engine:
        print("1. The operator configures the mount and a read-only role.")
        engine.write_root_config(access_key=endpoint["access_key_id"], secret_key=endpoint["secret_access_key"],
                                 region="us-east-1", iam_endpoint=url, sts_endpoint=url)
        engine.write_role("readonly", credential_type="iam_user",
                          policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"])

        print(f"2. The application asks for credentials for {TTL_SECONDS} seconds.")
        creds = engine.issue("readonly", ttl=TTL_SECONDS, wait_until_usable=True)
        lease = engine.lookup(creds.lease_id)
        print(f"   lease {lease.id}\n   IAM user {lease.user_name}, key {creds.access_key}, "
              f"expires {lease.expires_at.isoformat()}")

        print("3. It uses them.")
        identity = sts(creds).get_caller_identity()
        print(f"   AWS says: {identity['Arn']}")
        if identity["Arn"] != creds.arn:
            print(f"FAILED: expected {creds.arn}")
            return 1

        print("4. It lets them expire; the engine's worker revokes the lease.")
        deadline = time.monotonic() + TTL_SECONDS + 30
        while engine.list_leases(creds.lease_id):
            if time.monotonic() > deadline:
                print("FAILED: the lease was not revoked in time")
                return 1
            time.sleep(0.2)
        print("   lease revoked")

        print("5. AWS now refuses the key.")
        try:
            sts(creds).get_caller_identity()
        except botocore.exceptions.ClientError as refused:
            code = refused.response["Error"]["Code"]
            print(f"   AWS says: {code}")
            if code != "InvalidClientTokenId":
                return 1
            print("Seed scenario complete.")
            return 0
        print("FAILED: AWS still accepts the revoked key")
        return 1


if __name__ == "__main__":
    sys.exit(main())
