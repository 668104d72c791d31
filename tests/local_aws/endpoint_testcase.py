"""A unittest base class with an in-process endpoint and botocore clients for it."""

import json
import os
import sys
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import botocore.config  # noqa: E402
import botocore.session  # noqa: E402
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from server import Endpoint, Server  # noqa: E402

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})


def trust_policy(principal="arn:aws:iam::123456789012:root", condition=None):
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


class EndpointTestCase(unittest.TestCase):
    """One endpoint per test class, reset before each test.

    Unlike the server's defaults, new and deleted keys take effect at once
    here: these tests are about the endpoint's other behaviour, and the
    propagation cases of test_auth set their delays explicitly."""

    @classmethod
    def setUpClass(cls):
        cls.endpoint = Endpoint(fault_seed=7)
        cls.server = Server(cls.endpoint)
        cls.server.start()
        cls.url = f"http://127.0.0.1:{cls.server.port}"
        cls.botocore = botocore.session.get_session()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.endpoint.reset()
        self._clients = []
        self.iam = self.client("iam")
        self.sts = self.client("sts")

    def client(self, service, key_id=None, secret=None, token=None, region="us-east-1",
               retries=1):
        """A botocore client (administrator's key, no retries, no client-side validation)."""
        config = botocore.config.Config(retries={"total_max_attempts": retries, "mode": "standard"},
                                        connect_timeout=5, read_timeout=10,
                                        parameter_validation=False)  # the endpoint validates
        client = self.botocore.create_client(
            service, region_name=region, endpoint_url=self.url, config=config,
            aws_access_key_id=key_id or self.endpoint.access_key_id,
            aws_secret_access_key=secret or self.endpoint.secret_access_key,
            aws_session_token=token)
        self._clients.append(client)
        return client

    def tearDown(self):
        for client in self._clients:
            client.close()

    def client_for(self, service, credentials, **kwargs):
        """A client using credentials as returned by CreateAccessKey or STS."""
        return self.client(service, credentials["AccessKeyId"], credentials["SecretAccessKey"],
                           credentials.get("SessionToken"), **kwargs)

    def assertAwsError(self, code, fn, *args, status=None, message=None, **kwargs):
        """Calls fn, asserts it fails with AWS error `code`; returns the error's response."""
        with self.assertRaises(ClientError) as caught:
            fn(*args, **kwargs)
        response = caught.exception.response
        self.assertEqual(response["Error"]["Code"], code, response["Error"].get("Message"))
        self.assertTrue(response["ResponseMetadata"]["RequestId"])
        if status is not None:
            self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], status)
        if message is not None:
            self.assertIn(message, response["Error"]["Message"])
        return response

    def raw_call(self, service, action, version=None, key=None, region="us-east-1", **params):
        """The raw XML body of a call signed by botocore, bypassing its reply parser."""
        version = version or {"iam": "2010-05-08", "sts": "2011-06-15"}[service]
        body = urllib.parse.urlencode({"Action": action, "Version": version, **params}).encode()
        request = AWSRequest("POST", self.url + "/", data=body,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        key = key or (self.endpoint.access_key_id, self.endpoint.secret_access_key)
        SigV4Auth(Credentials(*key), service, region).add_auth(request)
        prepared = request.prepare()
        http_request = urllib.request.Request(prepared.url, data=prepared.body,
                                              headers=dict(prepared.headers), method="POST")
        try:
            with urllib.request.urlopen(http_request, timeout=10) as reply:
                return reply.read().decode()
        except urllib.error.HTTPError as error:
            return error.read().decode()

    def admin(self, method, path, payload=None):
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(f"{self.url}/_admin/{path}", data=data, method=method)
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.loads(reply.read())

    def state(self):
        return self.admin("GET", "state")

    def user_state(self, name):
        return next(u for u in self.state()["users"] if u["name"] == name)

    def calls(self, action=None):
        return [c for c in self.admin("GET", "calls")["calls"] if action in (None, c["action"])]

    def advance(self, seconds):
        self.admin("POST", "settings", {"advance_seconds": seconds})

    def new_user_with_key(self, name="alice", allow=()):
        """A user and its key; `allow`: actions its inline policy allows on any resource."""
        self.iam.create_user(UserName=name)
        if allow:
            self.iam.put_user_policy(UserName=name, PolicyName="test", PolicyDocument=json.dumps(
                {"Version": "2012-10-17",
                 "Statement": [{"Effect": "Allow", "Action": list(allow), "Resource": "*"}]}))
        return self.iam.create_access_key(UserName=name)["AccessKey"]
