"""What IAM and STS action handlers share: the call context, the registry and paging.

A handler is `fn(call, params) -> result dict or None`, registered per
service under the action name. `params` are the decoded, validated input
(model member names); the result uses the model's output member names.
"""

import base64
import dataclasses

from model import AwsError

HANDLERS = {"iam": {}, "sts": {}}


def action(service, name):
    def register(fn):
        HANDLERS[service][name] = fn
        return fn
    return register


@dataclasses.dataclass
class Call:
    account: object   # account.Account
    caller: object    # auth.Caller
    now: float        # the account's time
    control: object   # control.Control


def paginate(call, items, key, params, member):
    """One page of `items` (already in order) after params' Marker, IAM-style.

    The marker names the last item returned, so a page boundary survives
    deletions between calls. IAM may return fewer than MaxItems even when
    more remain; the max_page_items setting makes the endpoint do so.
    """
    max_items = params.get("MaxItems", 100)
    if call.control.max_page_items:
        max_items = min(max_items, call.control.max_page_items)
    start = 0
    if "Marker" in params:
        try:
            after = base64.urlsafe_b64decode(params["Marker"].encode()).decode()
        except ValueError:
            raise AwsError(400, "ValidationError", "Invalid Marker.")
        start = next((i for i, item in enumerate(items) if key(item) > after), len(items))
    page = items[start:start + max_items]
    out = {member: page, "IsTruncated": start + max_items < len(items)}
    if out["IsTruncated"]:
        out["Marker"] = base64.urlsafe_b64encode(key(page[-1]).encode()).decode()
    return out


def tags_from(params, member="Tags"):
    """The Tags list as an ordered dict; duplicate keys are an error, as in IAM."""
    tags = {}
    for tag in params.get(member, []):
        if tag["Key"] in tags:
            raise AwsError(400, "InvalidInput", "Duplicate tag keys found. Please note that "
                           "Tag keys are case insensitive.")
        tags[tag["Key"]] = tag["Value"]
    return tags
