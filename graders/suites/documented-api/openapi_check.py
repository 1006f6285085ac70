"""Reading an OpenAPI 3 document: find operations, follow local $refs, check a value against a schema.

A deliberately small subset of JSON Schema, enough for API documents: type (a name or a list of
names, as OpenAPI 3.1 allows), nullable (OpenAPI 3.0), enum, const, required, properties,
additionalProperties, items, allOf, anyOf, oneOf (checked like anyOf) and $ref into the same
document. Other keywords (format, minLength, pattern, ...) are descriptions only and are ignored.
"""

import json
import re

COLLECTION = "/bookmarks"
ITEM = "/bookmarks/{id}"
ITEM_PATH = re.compile(r"^/bookmarks/\{[^{}/]+\}/?$")
OPERATIONS = [("post", COLLECTION), ("get", COLLECTION), ("get", ITEM), ("patch", ITEM), ("delete", ITEM)]


class BadReference(Exception):
    """A $ref that does not point anywhere in the document."""


def describe(value, limit=80):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def resolve(doc, node, depth=0):
    """`node` with any local `$ref` followed (a chain of them too); other keys of a $ref node are dropped."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        if depth > 20:
            raise BadReference(f"the $ref chain at {node['$ref']} does not end")
        node = pointer(doc, node["$ref"])
        depth += 1
    return node


def pointer(doc, ref):
    if not ref.startswith("#/"):
        raise BadReference(f'the $ref "{ref}" does not point into this document (only "#/..." is followed)')
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise BadReference(f'the $ref "{ref}" points nowhere in the document')
    return node


def path_item(doc, which):
    """The path item for "/bookmarks" or "/bookmarks/{id}" (any parameter name), or None."""
    paths = doc.get("paths")
    if not isinstance(paths, dict):
        return None
    for key, item in paths.items():
        if (which == COLLECTION and key.rstrip("/") == COLLECTION) or (which == ITEM and ITEM_PATH.match(key)):
            return resolve(doc, item)
    return None


def operation(doc, method, which):
    item = path_item(doc, which)
    op = item.get(method) if isinstance(item, dict) else None
    return op if isinstance(op, dict) else None


def documented_statuses(doc, op):
    responses = resolve(doc, op.get("responses"))
    return sorted(str(code) for code in responses) if isinstance(responses, dict) else []


def json_schema_of(doc, holder):
    """The schema of a response's or request body's JSON content: (True, schema), or (False, None)."""
    holder = resolve(doc, holder)
    content = holder.get("content") if isinstance(holder, dict) else None
    if not isinstance(content, dict):
        return False, None
    media = resolve(doc, content.get("application/json"))
    if media is None:
        media = next((resolve(doc, v) for k, v in content.items() if "json" in k.lower()), None)
    if not isinstance(media, dict) or "schema" not in media:
        return False, None
    return True, media["schema"]


def response_schema(doc, op, status):
    responses = resolve(doc, op.get("responses"))
    if not isinstance(responses, dict):
        return False, None
    return json_schema_of(doc, responses.get(str(status)))


def parameters(doc, which, method):
    """The parameters of an operation, with those of its path item, each resolved."""
    item = path_item(doc, which) or {}
    found = []
    for holder in (item, item.get(method) or {}):
        listed = holder.get("parameters") if isinstance(holder, dict) else None
        if isinstance(listed, list):
            found += [p for p in (resolve(doc, p) for p in listed) if isinstance(p, dict)]
    return found


def object_view(doc, schema, depth=0):
    """(properties, required) of an object schema, merging allOf members."""
    schema = resolve(doc, schema)
    props, required = {}, set()
    if not isinstance(schema, dict) or depth > 20:
        return props, required
    if isinstance(schema.get("properties"), dict):
        props.update(schema["properties"])
    if isinstance(schema.get("required"), list):
        required.update(r for r in schema["required"] if isinstance(r, str))
    for member in schema.get("allOf") or []:
        more_props, more_required = object_view(doc, member, depth + 1)
        props.update(more_props)
        required |= more_required
    return props, required


def type_names(doc, schema, depth=0):
    """Every type name a schema allows, looking into anyOf/oneOf/allOf."""
    schema = resolve(doc, schema)
    if not isinstance(schema, dict) or depth > 20:
        return set()
    declared = schema.get("type")
    names = set(declared if isinstance(declared, list) else [declared] if isinstance(declared, str) else [])
    for key in ("anyOf", "oneOf", "allOf"):
        for member in schema.get(key) or []:
            names |= type_names(doc, member, depth + 1)
    return names


def _has_type(value, name):
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if name == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "string":
        return isinstance(value, str)
    if name == "array":
        return isinstance(value, list)
    if name == "object":
        return isinstance(value, dict)
    return True  # an unknown type name is not ours to judge


def violations(doc, value, schema, where="$", depth=0):
    """Why `value` does not match `schema`, as sentences (an empty list when it matches)."""
    if depth > 60 or schema is True:
        return []
    if schema is False:
        return [f"{where} is not allowed by the schema (false)"]
    if not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        target = resolve(doc, {"$ref": schema["$ref"]})
        found = violations(doc, value, target, where, depth + 1)
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return found or violations(doc, value, rest, where, depth + 1)
    if value is None and schema.get("nullable") is True:
        return []
    declared = schema.get("type")
    if declared is not None:
        names = declared if isinstance(declared, list) else [declared]
        if not any(_has_type(value, n) for n in names):
            return [f"{where} should be {' or '.join(map(str, names))}, but it is {describe(value)}"]
    if "enum" in schema and isinstance(schema["enum"], list) and value not in schema["enum"]:
        return [f"{where} should be one of {describe(schema['enum'])}, but it is {describe(value)}"]
    if "const" in schema and value != schema["const"]:
        return [f"{where} should be {describe(schema['const'])}, but it is {describe(value)}"]
    for member in schema.get("allOf") or []:
        found = violations(doc, value, member, where, depth + 1)
        if found:
            return found
    for key in ("anyOf", "oneOf"):
        members = schema.get(key)
        if isinstance(members, list) and members:
            reasons = [violations(doc, value, m, where, depth + 1) for m in members]
            if all(reasons):
                return [f"{where} matches none of the {key} choices (the first says: {reasons[0][0]})"]
    if isinstance(value, dict):
        return _object_violations(doc, value, schema, where, depth)
    if isinstance(value, list) and isinstance(schema.get("items"), (dict, bool)):
        for i, element in enumerate(value):
            found = violations(doc, element, schema["items"], f"{where}[{i}]", depth + 1)
            if found:
                return found
    return []


def _object_violations(doc, value, schema, where, depth):
    for name in schema.get("required") or []:
        if isinstance(name, str) and name not in value:
            return [f'{where} lacks the field "{name}", which the schema marks as required']
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    for name, sub in props.items():
        if name in value:
            found = violations(doc, value[name], sub, f"{where}.{name}", depth + 1)
            if found:
                return found
    extra = schema.get("additionalProperties")
    for name in value:
        if name in props or extra is None or extra is True:
            continue
        if extra is False:
            return [f'{where} has the field "{name}", which the schema does not allow (additionalProperties: false)']
        found = violations(doc, value[name], extra, f"{where}.{name}", depth + 1)
        if found:
            return found
    return []
