"""Our Query form bodies must equal botocore's, byte for byte.

Local AWS emulators re-encode the parsed form before checking a signature,
so only botocore's exact encoding verifies against them. botocore's
serializer also only emits members that exist in the service model, so this
checks our parameter names against the official IAM/STS shapes too.

Run: /usr/bin/python3 form_encoding_botocore_test.py PATH/TO/form_encode
"""
import subprocess
import sys
import unittest

import botocore.session
from botocore.awsrequest import create_request_object, prepare_request_dict
from botocore.serialize import create_serializer

FORM_ENCODE = None

TRICKY = [
    "plain", "with space", "a/b", "tilde~", "star*", "plus+sign", "eq=sign",
    "amp&ersand", "ümlaut", "日本語", "", "100%", "tab\there", "new\nline",
    "quote'\"", "hash#?q", "semi;colon,comma", "(paren)!$@",
]


def botocore_body(service, operation, params):
    model = botocore.session.get_session().get_service_model(service)
    # No parameter validation: we compare encodings, including of values
    # (empty names) that IAM itself would refuse.
    request = create_serializer("query", include_validation=False).serialize_to_request(
        params, model.operation_model(operation))
    prepare_request_dict(request, endpoint_url="https://example.invalid")
    body = create_request_object(request).prepare().body
    return body.encode("utf-8") if isinstance(body, str) else body


def our_body(action, version, args):
    out = subprocess.run([FORM_ENCODE, action, version] + args, check=True,
                         stdout=subprocess.PIPE)
    return out.stdout


class FormEncodingMatchesBotocore(unittest.TestCase):
    def test_create_user_with_tricky_values(self):
        for value in TRICKY:
            with self.subTest(value=value):
                params = {"UserName": value, "Path": "/" + value,
                          "Tags": [{"Key": value, "Value": value + "v"}]}
                ours = our_body("CreateUser", "2010-05-08",
                                ["--param", "UserName=" + value,
                                 "--param", "Path=/" + value,
                                 "--tag", value, value + "v"])
                self.assertEqual(ours, botocore_body("iam", "CreateUser", params))

    def test_put_user_policy_document(self):
        doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}]}'
        params = {"UserName": "u", "PolicyName": "p n", "PolicyDocument": doc}
        ours = our_body("PutUserPolicy", "2010-05-08",
                        ["--param", "UserName=u", "--param", "PolicyName=p n",
                         "--param", "PolicyDocument=" + doc])
        self.assertEqual(ours, botocore_body("iam", "PutUserPolicy", params))

    def test_assume_role_with_lists_and_tags(self):
        params = {"RoleArn": "arn:aws:iam::123456789012:role/r w",
                  "RoleSessionName": "s@x.y", "DurationSeconds": 900,
                  "ExternalId": "ext id+/=",
                  "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
                                 {"arn": "arn:aws:iam::123456789012:policy/p 2"}],
                  "Tags": [{"Key": "team", "Value": "blue green"}]}
        ours = our_body("AssumeRole", "2011-06-15",
                        ["--param", "RoleArn=arn:aws:iam::123456789012:role/r w",
                         "--param", "RoleSessionName=s@x.y",
                         "--param", "DurationSeconds=900",
                         "--param", "ExternalId=ext id+/=",
                         "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess",
                         "--policy-arn", "arn:aws:iam::123456789012:policy/p 2",
                         "--tag", "team", "blue green"])
        self.assertEqual(ours, botocore_body("sts", "AssumeRole", params))


if __name__ == "__main__":
    FORM_ENCODE = sys.argv.pop(1)
    unittest.main(verbosity=2)
