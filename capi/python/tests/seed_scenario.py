#!/usr/bin/python3
"""The seed scenario, as seeds 001 and 004 walk it, under the IAM policy they
give the engine's root user and nothing more:

  1. the operator configures the mount (a root user holding the seeds'
     least-privilege policy) and a read-only role;
  2. the application gets credentials, reads with them, and is refused a write;
  3. the lease is revoked; three more are revoked by prefix;
  4. one more expires and the engine's worker revokes it on time;
  5. bad input is refused with the field named and leaves nothing behind;
  6. AWS refuses every revoked key, and no IAM user is left.

    DYNCREDS_LOCAL_AWS=.../endpoint.json python3 seed_scenario.py [--optional-api-fault]

With --optional-api-fault, the endpoint answers the calls a partial IAM
implementation lacks (ListMFADevices, ListSSHPublicKeys,
ListSigningCertificates, ListServiceSpecificCredentials, DeleteLoginProfile)
with an HTML error page, as an emulator that implements only part of IAM
does; the scenario must come out the same.

Talks to the local IAM/STS endpoint (tests/local_aws) named by endpoint.json;
botocore plays the application using the key.
"""
import base64
import json
import os
import sys
import tempfile
import time
import urllib.request

import botocore.exceptions
import botocore.session

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "local_aws"))
import dyncreds  # noqa: E402  (the package beside these tests)
from ctl import seeds_root  # noqa: E402

TTL_SECONDS = 3
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
OPTIONAL_ACTIONS = ("ListMFADevices", "ListSSHPublicKeys", "ListSigningCertificates",
                    "ListServiceSpecificCredentials", "DeleteLoginProfile")


class Failed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failed(message)


def admin(url, method, path, payload=None):
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(f"{url}/_admin/{path}", data=data, method=method)
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read())


def refused(call, code):
    try:
        call()
    except botocore.exceptions.ClientError as error:
        return error.response["Error"]["Code"] == code
    return False


def run(endpoint, fault):
    url = endpoint["endpoint"]  # the control plane
    session = botocore.session.get_session()
    root = seeds_root(url)
    users_before = {u["name"] for u in admin(url, "GET", "state")["users"]}

    def client(service, creds):
        return session.create_client(service, region_name="us-east-1", endpoint_url=endpoint[f"{service}_endpoint"],
                                     aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key)

    if fault:
        for action in OPTIONAL_ACTIONS:
            admin(url, "POST", "faults", {"action": action, "fault": "html500"})
    with tempfile.TemporaryDirectory() as state, dyncreds.Engine(
            store=os.path.join(state, "leases.db"), store_key=base64.b64encode(os.urandom(32)).decode(),
            poll_interval_ms=200, log=lambda level, line: print(f"  [engine {level}] {line}")) as engine:
        print(f"1. The operator configures the mount with {root['user_name']} (the seeds' policy) and a read-only role.")
        engine.write_root_config(access_key=root["access_key_id"], secret_key=root["secret_access_key"],
                                 region="us-east-1", iam_endpoint=endpoint["iam_endpoint"],
                                 sts_endpoint=endpoint["sts_endpoint"])
        engine.write_role("readonly", credential_type="iam_user", policy_arns=[READ_ONLY])

        print("2. The application gets credentials, reads with them, and is refused a write.")
        creds = engine.issue("readonly", wait_until_usable=True)
        print(f"   lease {creds.lease_id}, IAM user {engine.lookup(creds.lease_id).user_name}")
        check(client("sts", creds).get_caller_identity()["Arn"] == creds.arn, "the key is not the lease's user")
        users = client("iam", creds).list_users()["Users"]
        print(f"   read: iam list-users sees {len(users)} users")
        check(refused(lambda: client("iam", creds).create_user(UserName="vault-not-allowed"), "AccessDenied"),
              "a read-only key could write")
        print("   write: iam create-user refused with AccessDenied")
        revoked = [creds]

        print("3. The lease is revoked; then three more by prefix.")
        engine.revoke(creds.lease_id)
        more = [engine.issue("readonly") for _ in range(3)]
        check(engine.revoke_prefix("aws/creds/readonly") == 3, "revoke-prefix did not revoke 3 leases")
        revoked += more
        check(engine.list_leases() == [], "leases remain after revoke-prefix")

        print(f"4. One more lives {TTL_SECONDS} s; the engine's worker revokes it at expiry.")
        short = engine.issue("readonly", ttl=TTL_SECONDS)
        deadline = time.monotonic() + TTL_SECONDS + 30
        while engine.list_leases():
            check(time.monotonic() < deadline, "the expired lease was not revoked in time")
            time.sleep(0.2)
        revoked.append(short)

        print("5. Bad input is refused, naming the field, and leaves nothing behind.")
        try:
            engine.write_role("bad", credential_type="iam_user", policy_document="{not json")
            raise Failed("a bad policy_document was accepted")
        except dyncreds.InvalidArgument as error:
            print(f"   {error}")
            check(error.field == "policy_document", "the error does not name policy_document")
        try:
            engine.issue("readonly", ttl="forever")
            raise Failed("a bad ttl was accepted")
        except dyncreds.InvalidArgument as error:
            print(f"   {error}")
        check(engine.list_roles() == ["readonly"], "a refused role was stored")

    print("6. AWS refuses every revoked key (within seconds: IAM is eventually consistent), and no IAM user is left.")
    for c in revoked:
        deadline = time.monotonic() + 30
        while not refused(lambda: client("sts", c).get_caller_identity(), "InvalidClientTokenId"):
            check(time.monotonic() < deadline, f"AWS still accepts the key of {c.lease_id} after 30 s")
            time.sleep(0.1)
    left = {u["name"] for u in admin(url, "GET", "state")["users"]} - users_before
    check(not left, f"IAM users left behind: {sorted(left)}")
    if fault:
        calls = [c for c in admin(url, "GET", "calls")["calls"] if c["action"] in OPTIONAL_ACTIONS]
        print(f"   the optional calls the endpoint lacks were made {len(calls)} times")


def main(argv):
    fault = "--optional-api-fault" in argv
    with open(os.environ["DYNCREDS_LOCAL_AWS"]) as f:
        endpoint = json.load(f)
    url = endpoint["endpoint"]
    try:
        run(endpoint, fault)
    except Failed as failure:
        print(f"FAILED: {failure}")
        return 1
    finally:
        if fault:
            admin(url, "DELETE", "faults")
    print("Seed scenario complete" + (" with the optional-API fault on." if fault else "."))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
