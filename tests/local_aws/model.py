"""The wire format of IAM and STS, driven by botocore's official service models.

Requests arrive as Query-protocol forms (`Tags.member.1.Key=...`); this module
decodes them into plain Python values by walking the operation's input shape,
checks them against the model's constraints (required, length, range,
pattern, enum) with the messages AWS gives, and renders results and errors as
the XML documents IAM and STS send. Using the model rather than hand-written
field lists means element names, list wrappers and validation limits are the
real ones.
"""

import base64
import datetime
import re
import urllib.parse
import threading
import uuid
import xml.etree.ElementTree as ET

import botocore.session

_session_lock = threading.Lock()
_models = {}


def service_model(name):
    """botocore's ServiceModel for 'iam' or 'sts' (loaded once)."""
    with _session_lock:
        if name not in _models:
            _models[name] = botocore.session.get_session().get_service_model(name)
        return _models[name]


class AwsError(Exception):
    """An error reply: HTTP status, AWS error code and message."""

    def __init__(self, status, code, message, sender=True):
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.sender = sender


def validation_error(problems):
    n = len(problems)
    noun = "error" if n == 1 else "errors"
    return AwsError(400, "ValidationError",
                    f"{n} validation {noun} detected: " + "; ".join(problems))


# --- Decoding the form ------------------------------------------------------

def decode_input(operation, form):
    """Decodes a Query form (dict of str -> str) into a dict for the operation's input."""
    shape = operation.input_shape
    if shape is None:
        return {}
    return _decode_structure(shape, "", form) or {}


def _decode(shape, key, form):
    kind = shape.type_name
    if kind == "structure":
        return _decode_structure(shape, key + ".", form)
    if kind == "list":
        return _decode_list(shape, key, form)
    if kind == "map":
        return _decode_map(shape, key, form)
    if key not in form:
        return None
    return _decode_scalar(shape, key, form[key])


def _decode_structure(shape, prefix, form):
    out = {}
    for name, member in shape.members.items():
        value = _decode(member, prefix + name, form)
        if value is not None:
            out[name] = value
    if not out and prefix and not any(k.startswith(prefix) for k in form):
        return None
    return out


def _indexed(prefix, form):
    """Sorted indices N of keys `prefix.N` or `prefix.N.<anything>`."""
    indices = set()
    for k in form:
        if k.startswith(prefix):
            head = k[len(prefix):].split(".", 1)[0]
            if head.isdigit():
                indices.add(int(head))
    return sorted(indices)


def _decode_list(shape, key, form):
    if key in form and form[key] == "":
        return []  # botocore sends an empty list as `Key=`
    prefix = key + ".member."
    items = [_decode(shape.member, f"{prefix}{i}", form) for i in _indexed(prefix, form)]
    return items if items else None


def _decode_map(shape, key, form):
    prefix = key + ".entry."
    out = {}
    for i in _indexed(prefix, form):
        k = form.get(f"{prefix}{i}.key")
        if k is not None:
            out[k] = _decode(shape.value, f"{prefix}{i}.value", form)
    return out or None


def _decode_scalar(shape, key, text):
    kind = shape.type_name
    if kind in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            raise validation_error([f"Value '{text}' at '{_camel(key)}' failed to satisfy "
                                    "constraint: Member must be a number"])
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise validation_error([f"Value '{text}' at '{_camel(key)}' failed to satisfy "
                                    "constraint: Member must be a boolean"])
        return text.lower() == "true"
    return text


# --- Validation ---------------------------------------------------------------

_JAVA_CLASSES = {
    r"\p{L}": "a-zA-Z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u3040-\u30ff\u4e00-\u9fff",
    r"\p{Z}": " \u00a0\u2000-\u200a\u2028\u2029\u202f\u205f\u3000",
    r"\p{N}": "0-9",
}
_pattern_cache = {}


def _compiled(pattern):
    """The model's Java-style pattern as a Python regex (full-match semantics)."""
    if pattern not in _pattern_cache:
        py = pattern
        for java, python in _JAVA_CLASSES.items():
            py = py.replace(java, python)
        try:
            _pattern_cache[pattern] = re.compile(py, re.DOTALL)
        except re.error:
            _pattern_cache[pattern] = None  # not expressible here: not checked
    return _pattern_cache[pattern]


def _camel(path):
    """AWS names members in lowerCamelCase in validation messages."""
    parts = [p for p in path.split(".") if p and not p.isdigit() and p != "member"]
    name = parts[-1] if parts else path
    return name[:1].lower() + name[1:]


def validate(operation, params):
    """Raises ValidationError (all problems at once, as AWS does) or returns."""
    problems = []
    if operation.input_shape is not None:
        _check_structure(operation.input_shape, params, "", problems)
    if problems:
        raise validation_error(problems)


def _check_structure(shape, value, path, problems):
    for name in shape.required_members:
        if name not in value:
            problems.append(f"Value null at '{_camel(name)}' failed to satisfy constraint: "
                            "Member must not be null")
    for name, member in shape.members.items():
        if name in value:
            _check(member, value[name], f"{path}{name}", problems)


def _check(shape, value, path, problems):
    meta = shape.metadata
    where = f"Value '{value}' at '{_camel(path)}' failed to satisfy constraint: "
    kind = shape.type_name
    if kind == "structure":
        _check_structure(shape, value, path + ".", problems)
        return
    if kind == "list":
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"Value at '{_camel(path)}' failed to satisfy constraint: "
                            f"Member must have length less than or equal to {meta['max']}")
        for i, item in enumerate(value, 1):
            _check(shape.member, item, f"{path}.{i}", problems)
        return
    if kind in ("integer", "long"):
        if "min" in meta and value < meta["min"]:
            problems.append(where + f"Member must have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            problems.append(where + f"Member must have value less than or equal to {meta['max']}")
        return
    if kind != "string":
        return
    if "min" in meta and len(value) < meta["min"]:
        problems.append(where + f"Member must have length greater than or equal to {meta['min']}")
    if "max" in meta and len(value) > meta["max"]:
        problems.append(where + f"Member must have length less than or equal to {meta['max']}")
    if shape.enum and value not in shape.enum:
        problems.append(where + f"Member must satisfy enum value set: [{', '.join(shape.enum)}]")
    if "pattern" in meta:
        regex = _compiled(meta["pattern"])
        if regex is not None and not regex.fullmatch(value):
            problems.append(where + f"Member must satisfy regular expression pattern: {meta['pattern']}")


# --- Rendering replies ----------------------------------------------------------

def iso8601(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_request_id():
    return str(uuid.uuid4())


def render_result(service, operation, result, request_id):
    """The XML reply for a successful call; `result` uses the model's member names."""
    name = operation.name
    root = ET.Element(f"{name}Response", {"xmlns": service.metadata["xmlNamespace"]})
    shape = operation.output_shape
    if shape is not None:
        wrapper = ET.SubElement(root, shape.serialization.get("resultWrapper", f"{name}Result"))
        _render_structure(wrapper, shape, result or {})
    elif result:
        raise ValueError(f"{name} has no output, but a result was given")
    meta = ET.SubElement(root, "ResponseMetadata")
    ET.SubElement(meta, "RequestId").text = request_id
    return ET.tostring(root, encoding="utf-8")


def _render_structure(element, shape, value):
    unknown = set(value) - set(shape.members)
    if unknown:  # a typo in a handler, not a client error
        raise ValueError(f"{shape.name} has no member(s) {sorted(unknown)}")
    for name, member in shape.members.items():
        if name in value and value[name] is not None:
            _render(ET.SubElement(element, name), member, value[name])


def _render(element, shape, value):
    kind = shape.type_name
    if kind == "structure":
        _render_structure(element, shape, value)
    elif kind == "list":
        for item in value:
            _render(ET.SubElement(element, "member"), shape.member, item)
    elif kind == "map":
        for k, v in value.items():
            entry = ET.SubElement(element, "entry")
            ET.SubElement(entry, "key").text = str(k)
            _render(ET.SubElement(entry, "value"), shape.value, v)
    elif kind == "timestamp":
        element.text = iso8601(value)
    elif kind == "boolean":
        element.text = "true" if value else "false"
    elif kind == "blob":
        element.text = base64.b64encode(value).decode("ascii")
    elif shape.name == "policyDocumentType":
        # IAM returns policy documents URL-encoded (RFC 3986).
        element.text = urllib.parse.quote(value, safe="-_.~")
    else:
        element.text = str(value)


def render_error(service, error, request_id):
    """IAM's and STS's error document: ErrorResponse/Error/{Type,Code,Message}, RequestId."""
    root = ET.Element("ErrorResponse", {"xmlns": service.metadata["xmlNamespace"]})
    err = ET.SubElement(root, "Error")
    ET.SubElement(err, "Type").text = "Sender" if error.sender else "Receiver"
    ET.SubElement(err, "Code").text = error.code
    ET.SubElement(err, "Message").text = error.message
    ET.SubElement(root, "RequestId").text = request_id
    return ET.tostring(root, encoding="utf-8")
