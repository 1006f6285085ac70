"""Reading the two documents of the capstone's platform contract: the OpenAPI document and the
manifest (GET /capstone.json). Pure functions: they take parsed JSON and return values or raise
ContractError with a sentence for the learner.
"""

import re
from urllib.parse import quote

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
BODY_METHODS = ("post", "put", "patch")
STEP_METHODS = ("POST", "PUT", "PATCH")
CLIENT_ERROR = re.compile(r"^4(\d\d|XX)$", re.IGNORECASE)
STATUS_KEY = re.compile(r"^[1-5](\d\d|XX)$", re.IGNORECASE)


class ContractError(Exception):
    """The document breaks the contract; the message says where and how."""


# --- the OpenAPI document ---------------------------------------------------------------------


def resolve(doc, node, depth=0):
    """`node` with a local `$ref` ("#/components/...") followed, chains included."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if depth > 20 or not ref.startswith("#/"):
            raise ContractError(f'the $ref "{ref}" does not point into the document')
        node = doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise ContractError(f'the $ref "{ref}" points nowhere in the document')
            node = node[part]
        depth += 1
    return node


def operations(doc):
    """Every (method, path, operation) of the document, methods lower-case, in document order."""
    paths = doc.get("paths")
    if not isinstance(paths, dict):
        raise ContractError('the document has no "paths" object')
    found = []
    for path, item in paths.items():
        item = resolve(doc, item)
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = resolve(doc, item.get(method))
            if isinstance(op, dict):
                found.append((method, path, op))
    return found


def status_keys(doc, op):
    """The keys of an operation's `responses` ("200", "4XX", "default"), as strings."""
    responses = resolve(doc, op.get("responses"))
    return [str(key) for key in responses] if isinstance(responses, dict) else []


def documents_status(doc, op, status):
    """Whether the operation lists `status` itself or its range ("4XX"); "default" does not count."""
    keys = {key.upper() for key in status_keys(doc, op)}
    return str(status) in keys or f"{str(status)[0]}XX" in keys


def has_client_error(doc, op):
    return any(CLIENT_ERROR.match(key) for key in status_keys(doc, op))


def without_parameters(path):
    return "{" not in path


# --- the manifest -----------------------------------------------------------------------------


def _step(manifest, where, *, token_field=False):
    step = manifest
    for key in where.split("."):
        step = step.get(key) if isinstance(step, dict) else None
    if not isinstance(step, dict):
        raise ContractError(f'"{where}" must be a JSON object')
    method = step.get("method")
    if not isinstance(method, str) or method.upper() not in STEP_METHODS:
        raise ContractError(f'"{where}.method" must be one of {", ".join(STEP_METHODS)}, got {method!r}')
    path = step.get("path")
    if not isinstance(path, str) or not path.startswith("/") or "{" in path or "?" in path:
        raise ContractError(f'"{where}.path" must be a path such as "/items", without {{parameters}}, got {path!r}')
    if not isinstance(step.get("body"), dict):
        raise ContractError(f'"{where}.body" must be a JSON object, the body the grader sends')
    parsed = {"method": method.upper(), "path": path, "body": step["body"]}
    if token_field:
        parsed["token_field"] = _field_name(step.get("token_field"), f"{where}.token_field")
    return parsed


def _field_name(value, where):
    if not isinstance(value, str) or not value or any(not part for part in value.split(".")):
        raise ContractError(f'"{where}" must be a field name such as "token" or "data.token", got {value!r}')
    return value


def parse_manifest(manifest):
    """The manifest checked and normalised: {"register"?, "login"?, "create", "read"}."""
    if not isinstance(manifest, dict):
        raise ContractError("the manifest must be a JSON object")
    parsed = {}
    if "auth" in manifest:
        auth = manifest["auth"]
        if not isinstance(auth, dict):
            raise ContractError('"auth" must be a JSON object with a "login" step (and maybe a "register" step)')
        if "register" in auth:
            parsed["register"] = _step(manifest, "auth.register")
        parsed["login"] = _step(manifest, "auth.login", token_field=True)
    parsed["create"] = _step(manifest, "create")
    read = manifest.get("read")
    if not isinstance(read, dict):
        raise ContractError('"read" must be a JSON object with "path_template" and "id_field"')
    template = read.get("path_template")
    if not isinstance(template, str) or not template.startswith("/") or template.count("{id}") != 1:
        raise ContractError(
            f'"read.path_template" must be a path holding "{{id}}" once, such as "/items/{{id}}", got {template!r}'
        )
    parsed["read"] = {"path_template": template, "id_field": _field_name(read.get("id_field"), "read.id_field")}
    return parsed


def fill(value, random):
    """`value` (a request body) with every "{random}" in its strings replaced by `random`."""
    if isinstance(value, str):
        return value.replace("{random}", random)
    if isinstance(value, list):
        return [fill(v, random) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, random) for k, v in value.items()}
    return value


def field(data, dotted):
    """The value at a dotted field name ("data.token") of a JSON answer, or None."""
    for key in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def read_path(manifest, resource_id):
    return manifest["read"]["path_template"].replace("{id}", quote(str(resource_id), safe=""))
