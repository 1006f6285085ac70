"""Forms a page builds with JavaScript, read the way a person reading the script would.

Some converters write no <form> into the HTML the server sends: a script the page loads holds the
forms' markup in string literals, puts it on the page, and sends a submitted form itself with
`fetch` or `axios` instead of letting the browser post it. The grader runs no JavaScript; it reads
the page's own scripts instead:

- the forms: each string literal holding `<form` markup (joined with the literals after it up to
  `</form>`), read as HTML with every `${...}` hole left empty;
- the sending: the `fetch(...)` or `axios.get/post(...)` call naming a path on the app, its method
  and its body: `JSON.stringify` of an object literal (each key's expression is followed back to
  the form field or `data-*` attribute it reads), the form itself (`FormData`,
  `URLSearchParams`, `Object.fromEntries`), or a query string written into the URL.

Pure functions over the script's text; converter_site.py fetches the scripts and sends the request.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote_plus, urlencode

from converter_html import Document, Form

MAX_SCRIPT = 300_000  # characters of one script read
STRING = re.compile(r"`((?:\\.|[^`\\])*)`|'((?:\\.|[^'\\\n])*)'|\"((?:\\.|[^\"\\\n])*)\"", re.S)
HOLE = re.compile(r"\$\{[^{}]*\}")
NUMBER_PARSERS = re.compile(r"\b(parseFloat|parseInt|Number)\s*\(|valueAsNumber|\+\s*[\w.]+\.value\b")
DATA_READ = re.compile(r"getAttribute\(\s*['\"](data-[\w-]+)['\"]|dataset\s*\.\s*(\w+)|dataset\[\s*['\"](\w+)")
CALL = re.compile(
    r"(?:\bfetch|(?<![\w$])(?P<lib>axios|\$|jQuery)\s*\.\s*(?P<verb>get|post|put|patch))"
    r"\s*\(\s*(?P<q>['\"`])(?P<url>[^'\"`]*)(?P=q)"
)


Body = tuple[str, list[tuple[str, str]]]  # a request body's encoding and its (key, expression) entries


@dataclass
class Sender:
    """How a script sends a form: where, how, and the body's keys with the expressions they read."""

    url: str  # as written in the script; query holes `${...}` kept
    method: str  # "get", "post", ...
    encoding: str  # "json", "form" (urlencoded), "multipart" or "query" (the URL's own query string)
    keys: list[tuple[str, str]] = field(default_factory=list)  # (key, expression); empty: the form's fields
    source: str = ""  # the script, to follow a variable back to what it reads
    at: int = 0  # where the call is in the script


# --- the forms ----------------------------------------------------------------------------------


def _literals(source: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in STRING.finditer(source)]


def script_forms(source: str) -> list[Form]:
    """The forms whose markup a script holds, in the order it holds them."""
    source = source[:MAX_SCRIPT]
    literals = _literals(source)
    forms: list[Form] = []
    i = 0
    while i < len(literals):
        text = literals[i]
        if "<form" not in text.lower():
            i += 1
            continue
        markup = [text]
        while "</form" not in markup[-1].lower() and i + 1 < len(literals) and len(markup) < 200:
            i += 1
            markup.append(literals[i])
        html = "".join(markup)
        while HOLE.search(html):
            html = HOLE.sub("", html)
        forms.extend(Document(html.replace("\\n", "\n").replace('\\"', '"').replace("\\'", "'")).forms)
        i += 1
    return forms


# --- the sending ------------------------------------------------------------------------------


def _balanced(source: str, start: int) -> str:
    """The text of the bracketed group opening at `start` (`{`, `(` or `[`), brackets inside strings skipped."""
    pairs = {"{": "}", "(": ")", "[": "]"}
    stack = []
    i = start
    while i < len(source):
        ch = source[i]
        if ch in "'\"`":
            m = STRING.match(source, i)
            if m:
                i = m.end()
                continue
        if ch in pairs:
            stack.append(pairs[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
            if not stack:
                return source[start + 1 : i]
        i += 1
    return source[start + 1 :]


def _split_top(text: str) -> list[str]:
    """`text` split at its top-level commas."""
    parts, depth, current, i = [], 0, [], 0
    while i < len(text):
        ch = text[i]
        if ch in "'\"`":
            m = STRING.match(text, i)
            if m:
                current.append(m.group(0))
                i = m.end()
                continue
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _object_keys(literal: str) -> list[tuple[str, str]]:
    """The (key, expression) entries of an object literal's inside; shorthand `{ value }` reads `value`."""
    keys = []
    for entry in _split_top(literal):
        if entry.startswith("..."):
            continue
        m = re.match(r"""^(?:(['"])(.+?)\1|([A-Za-z_$][\w$]*))\s*(?::\s*(.+))?$""", entry, re.S)
        if m:
            key = m.group(2) or m.group(3)
            keys.append((key, (m.group(4) or key).strip()))
    return keys


def _assignment(source: str, name: str, before: int | None = None) -> re.Match | None:
    """The script's assignment to the variable `name` (`const name = ...;`; group 1 is the value's
    first line): the last one before position `before` (the request's own function), else the last."""
    found = list(re.finditer(rf"(?<![\w$.]){re.escape(name)}\s*=(?!=)\s*([^;\n]+)", source))
    if before is not None and (earlier := [m for m in found if m.start() < before]):
        found = earlier
    return found[-1] if found else None


def _assigned(source: str, name: str, before: int | None = None) -> str | None:
    """The value's text (its first line) of `_assignment`, or None."""
    m = _assignment(source, name, before)
    return m.group(1).strip() if m else None


def _assigned_object(source: str, name: str, before: int | None = None) -> str | None:
    """The inside of the object literal assigned to `name`, or None when its value is no literal."""
    m = _assignment(source, name, before)
    if m is None or not m.group(1).lstrip().startswith("{"):
        return None
    return _balanced(source, source.index("{", m.start(1)))


def _body(source: str, options: str, at: int | None = None) -> Body | None:
    """The encoding and keys of a request's body written in `options` (a fetch's second argument)."""
    m = re.search(r"\bbody\s*:\s*(.+)", options, re.S)
    shorthand = re.search(r"(?<![\w$.])body(?=\s*[,}\n])", options)
    if not m and not shorthand:
        return None
    expression = m.group(1) if m else "body"
    if re.match(r"(?<![\w$])body\b", expression):  # `body` alone: follow the variable
        expression = _assigned(source, "body", at) or ""
    return _encoded(source, expression, 0, at)


def _encoded(source: str, expression: str, depth: int = 0, at: int | None = None) -> Body | None:
    expression = expression.strip()
    if re.match(r"new\s+FormData\b", expression):
        return "multipart", []
    if re.match(r"new\s+URLSearchParams\b", expression):
        inner = expression.split("(", 1)[1] if "(" in expression else ""
        if inner.lstrip().startswith("{"):
            return "form", _object_keys(_balanced(inner, inner.index("{")))
        return "form", []
    if expression.startswith("JSON.stringify"):
        inner = expression[expression.index("(") + 1 :].lstrip() if "(" in expression else ""
        if inner.startswith("{"):
            return "json", _object_keys(_balanced(inner, 0))
        if "fromEntries" in inner or "FormData" in inner:
            return "json", []
        name = re.match(r"[A-Za-z_$][\w$]*", inner)
        if name and (literal := _assigned_object(source, name.group(0), at)) is not None:
            return "json", _object_keys(literal)
        if name and depth < 3 and (value := _assigned(source, name.group(0), at)):
            found = _encoded(source, f"JSON.stringify({value})", depth + 1, at)
            if found:
                return found
        return "json", []
    if expression.startswith("{"):
        return "json", _object_keys(_balanced(expression, 0))
    name = re.match(r"[A-Za-z_$][\w$]*", expression)
    if name and (literal := _assigned_object(source, name.group(0), at)) is not None:
        return "json", _object_keys(literal)
    if name and depth < 3 and (value := _assigned(source, name.group(0), at)):
        return _encoded(source, value, depth + 1, at)
    return None


def senders(source: str) -> list[Sender]:
    """Every request to a path on the app that the script sends with fetch, axios or jQuery."""
    source = source[:MAX_SCRIPT]
    found = []
    for m in CALL.finditer(source):
        url = m.group("url").strip()
        if not url.startswith("/") and not re.match(r"^(https?:)?//(localhost|127\.0\.0\.1)", url):
            if not (m.group("q") == "`" and url.startswith("${")):
                continue
        url = re.sub(r"^(https?:)?//[^/]*", "", re.sub(r"^\$\{[^{}]*\}", "", url)) or "/"
        rest = source[m.end() :]
        comma = re.match(r"\s*,\s*", rest)
        second = ""
        if comma:
            after = rest[comma.end() :]
            if after[:1] in "{([":
                second = after[0] + _balanced(after, 0) + {"{": "}", "(": ")", "[": "]"}[after[0]]
            else:
                name = re.match(r"[A-Za-z_$][\w$]*", after)
                second = name.group(0) if name else ""
        if m.group("lib"):
            method = m.group("verb")
            encoding, keys = "query", []
            if method != "get" and second:
                body = _encoded(source, second, 0, m.start())
                encoding, keys = body if body else ("json", [])
                if m.group("lib") != "axios" and encoding == "json":  # jQuery sends an object form-encoded
                    encoding = "form"
        else:
            options = second
            if options and not options.startswith("{"):
                literal = _assigned_object(source, options, m.start())
                options = "{" + literal + "}" if literal is not None else (_assigned(source, options, m.start()) or "")
            verb = re.search(r"\bmethod\s*:\s*['\"`](\w+)", options)
            method = verb.group(1).lower() if verb else "get"
            body = _body(source, options, m.start()) if method != "get" else None
            encoding, keys = body if body else ("query", [])
        found.append(Sender(url=url, method=method, encoding=encoding, keys=keys, source=source, at=m.start()))
    return found


def sender_for(source: str, form: Form) -> Sender | None:
    """The request the script sends for `form`: the one whose keys read most of the form's fields."""
    names = {f.name for f in form.fields if f.name} | {f.ident for f in form.fields if f.ident}

    def score(s: Sender) -> tuple[int, int]:
        mentioned = {n for n in names if any(_mentions(s, e, n) for _, e in s.keys)} if s.keys else set()
        query = set(re.findall(r"[?&]([\w-]+)=", s.url))
        return (len(mentioned | (query & names)) + (1 if s.method != "get" or "?" in s.url else 0), s.method != "get")

    def reads_form(s: Sender) -> bool:  # its body or query is made of the form's fields
        if s.keys:
            return score(s)[0] > 1
        return s.encoding != "query" or "${" in s.url.partition("?")[2]

    candidates = [s for s in senders(source) if reads_form(s)]
    return max(candidates, key=score) if candidates else None


# --- filling the request ---------------------------------------------------------------------------


def _chain(source: str, expression: str, at: int | None = None) -> str:
    """`expression` with the variables it reads followed back through their assignments (three steps)."""
    seen, text, frontier = set(), expression, expression
    for _ in range(3):
        more = []
        for name in re.findall(r"(?<![\w$.'\"])[A-Za-z_$][\w$]*", frontier):
            if name in seen:
                continue
            seen.add(name)
            value = _assigned(source, name, at)
            if value:
                more.append(value)
        if not more:
            break
        frontier = " ".join(more)
        text += " " + frontier
    return text


def _mentions(sender: Sender, expression: str, name: str) -> bool:
    return bool(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", _chain(sender.source, expression, sender.at)))


def _data_attribute(chain: str, form: Form) -> str | None:
    for m in DATA_READ.finditer(chain):
        name = m.group(1) or "data-" + re.sub(r"([A-Z])", lambda c: "-" + c.group(1).lower(), m.group(2) or m.group(3))
        if name in form.attrs:
            return form.attrs[name]
    return None


def _as_number(text: str) -> float | str:
    """A plain number as a JSON number, as the script's parseFloat/Number makes it; anything else as it was
    typed. A browser's number field would not let "ten" through, but curl or another script would, and
    checking that the server refuses it is the point of the tests that send such values."""
    return float(text) if re.fullmatch(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*", text) else text


def filled(sender: Sender, form: Form, pairs: list[tuple[str, str]]) -> list[tuple[str, object]]:
    """The body's (key, value) entries for the filled-in form: each key's expression read back to a field
    (by name or id) or a `data-*` attribute, numbers parsed where the script parses them."""
    if not sender.keys:
        return list(pairs)
    values = dict(pairs)
    by_id = {f.ident: f.name for f in form.fields if f.ident and f.name}
    entries: list[tuple[str, object]] = []
    for key, expression in sender.keys:
        chain = _chain(sender.source, expression, sender.at)
        value: object = None
        attribute = _data_attribute(chain, form)
        if attribute is not None:
            value = attribute
        else:
            # `.value` is also every field's property, so a field named "value" counts only when no other does
            tokens = re.findall(r"[A-Za-z_$][\w$-]*", chain)
            for token in sorted(tokens, key=lambda t: t == "value"):
                name = token if token in values else by_id.get(token)
                if name in values:
                    value = values[name]
                    break
            if value is None and key in values:
                value = values[key]
            elif value is None and f"data-{key}" in form.attrs:
                value = form.attrs[f"data-{key}"]
        if value is None:
            continue
        if NUMBER_PARSERS.search(chain) and isinstance(value, str):
            value = _as_number(value)
        entries.append((key, value))
    return entries


def request(sender: Sender, form: Form, pairs: list[tuple[str, str]]) -> tuple[str, str, bytes | None, dict | None]:
    """(method, path, body, headers) as the script sends the form."""
    entries = filled(sender, form, pairs)
    method = sender.method.upper()
    path = sender.url
    if sender.encoding == "query" or method == "GET":
        base, _, query = path.partition("?")
        if query and HOLE.search(query):  # `/convert?value=${value}&from=${from}`: the holes filled
            params = []
            for name, expression in re.findall(r"([\w-]+)=\$\{([^{}]*)\}", query):
                got = filled(Sender(path, "get", "json", [(name, expression)], sender.source, sender.at), form, pairs)
                params.append((name, "" if not got or got[0][1] is None else str(got[0][1])))
            return method, f"{base}?{urlencode(params)}", None, None
        params = [(k, "" if v is None else str(v)) for k, v in entries]
        return method, f"{base}?{urlencode(params)}" if params else base, None, None
    if sender.encoding == "json":
        return method, path, json.dumps(dict(entries)).encode(), {"Content-Type": "application/json"}
    text = [(k, "" if v is None else str(v)) for k, v in entries]
    if sender.encoding == "multipart":
        boundary = "----stagecraftFormBoundary7MA4YWxkTrZu0gW"
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in text]
        body = ("".join(parts) + f"--{boundary}--\r\n").encode()
        return method, path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    body = urlencode(text, quote_via=quote_plus).encode()
    return method, path, body, {"Content-Type": "application/x-www-form-urlencoded"}
