"""Reading a unit converter the way a person does: find its pages, read their forms, recognise the units.

The public spec (roadmap.sh/projects/unit-converter) leaves the page layout, the field names, the
option values, the form's target and method, and the result's markup to the developer. So nothing
here is pinned: the pages are found by following links from `/`, each form is read from the HTML
(action, method, inputs, selects, radio buttons, datalists), units are recognised by an option's
label or value ("km", "kilometer", "Kilometre(s)", "°C"), and the converted number is looked for
anywhere in the text of the answer page. Pure helpers, plus `discover` and `submit`, which use the
suite's `app` client so that every request shows in the test's transcript.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote_plus, urlencode, urljoin, urlsplit

from converter_html import Document, Field, Form
from converter_script import request as script_request
from converter_script import script_forms, sender_for
from converter_units import _LOOKUP, CATEGORIES, UNITS, _read, category_of, unit_of

from stagecraft_grader import ExchangeError

# --- a converter: one form read for one category ----------------------------------------------

VALUE_HINT = re.compile(r"val|amount|num|qty|quant|input|entry|from|length|weight|temp|degree", re.I)
TO_WORDS = {"to", "target", "dest", "destination", "new", "output", "out", "into", "result", "b", "2", "second"}
FROM_WORDS = {"from", "source", "src", "orig", "original", "in", "input", "old", "base", "a", "1", "first", "current"}


def _words(name: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    spaced = re.sub(r"([a-zA-Z])([0-9])", r"\1 \2", spaced)
    return {w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w}


@dataclass
class Converter:
    category: str
    page: str  # the path of the page that shows the form
    form: Form
    unit_fields: list[Field]  # the choices offering this category's units, in order (from, to)
    units: list[dict[str, str]]  # per unit field: known unit -> the value to send
    value_field: Field | None
    category_field: Field | None = None
    category_value: str = ""
    reached_by_link: bool = True

    @property
    def complete(self) -> bool:
        return self.value_field is not None and len(self.unit_fields) >= 2

    def common_units(self) -> list[str]:
        if len(self.units) < 2:
            return []
        return [u for u in UNITS[self.category] if u in self.units[0] and u in self.units[1]]

    def problems(self) -> list[str]:
        found = []
        where = f"the {self.category} form on {self.page}"
        if self.value_field is None:
            found.append(f"{where} has no field to type the value into (an <input> or <textarea> with a name)")
        if len(self.unit_fields) < 2:
            found.append(
                f"{where} offers one choice of {self.category} units "
                f"({_describe(self.unit_fields[0])}); it needs two: the unit to convert from and the one to convert to"
            )
        elif len(self.common_units()) < 2:
            found.append(f"the two unit choices of {where} have fewer than two {self.category} units in common")
        action = self.form.action.strip().lower()
        if action.startswith("javascript:"):
            found.append(f'{where} has action="{self.form.action}": it is never sent to the server')
        if self.form.method not in ("get", "post"):
            found.append(f'{where} has method="{self.form.method}": a browser sends only GET or POST forms')
        return found


def _describe(f: Field) -> str:
    return f'<{"select" if f.kind == "select" else "input"} name="{f.name}">' if f.name else "a field with no name"


def _unit_map(category: str, f: Field) -> dict[str, str]:
    units: dict[str, str] = {}
    ranks: dict[str, int] = {}
    if f.disabled or not f.name or f.kind not in ("select", "radio", "text"):
        return units
    for option in f.options:
        if option.disabled:
            continue
        unit, rank = _read(_LOOKUP[category], option)
        if unit and rank < ranks.get(unit, 100):  # two options for one unit: the one named most plainly
            units[unit], ranks[unit] = option.value, rank
    return units


def _category_map(f: Field) -> dict[str, str]:
    found: dict[str, str] = {}
    if f.kind not in ("select", "radio") or not f.name:
        return found
    for option in f.options:
        category = category_of(option)
        if category and category not in found:
            found[category] = option.value
    return found if len(found) >= 2 else {}


def read_converters(form: Form, page: str) -> dict[str, Converter]:
    """The converters one form offers: for each category whose units it lets a person choose."""
    found: dict[str, Converter] = {}
    maps = {category: [(f, _unit_map(category, f)) for f in form.fields] for category in CATEGORIES}
    category_fields = [(f, m) for f in form.fields if (m := _category_map(f))]
    for category in CATEGORIES:
        fields = [(f, m) for f, m in maps[category] if len(m) >= 2]
        if not fields:
            continue
        if len(fields) > 2:  # several categories' choices in one form: keep the ones only this category's
            own = [(f, m) for f, m in fields if all(len(_unit_map(c, f)) < 2 for c in CATEGORIES if c != category)]
            fields = own if len(own) >= 2 else fields
        fields = _order_from_to(fields[:2]) if len(fields) >= 2 else fields
        unit_ids = {id(f) for f, _ in fields}
        value_field = _value_field(form, unit_ids)
        converter = Converter(
            category=category,
            page=page,
            form=form,
            unit_fields=[f for f, _ in fields],
            units=[m for _, m in fields],
            value_field=value_field,
        )
        for f, m in category_fields:
            if category in m:
                converter.category_field, converter.category_value = f, m[category]
                break
        if category_fields and converter.category_field is None:
            continue  # the form has a category choice, and this category is not one of its options
        found[category] = converter
    return found


def _order_from_to(fields):
    """The unit to convert from, then the one to convert to: by their names when they say, else in page order."""
    first, second = fields

    def says(f, words, other):
        found = _words(f[0].name)
        return bool(found & words) and not found & other

    if says(first, TO_WORDS, FROM_WORDS) and not says(second, TO_WORDS, FROM_WORDS):
        return [second, first]
    if says(second, FROM_WORDS, TO_WORDS) and not says(first, FROM_WORDS, TO_WORDS):
        return [second, first]
    return [first, second]


def _value_field(form: Form, unit_ids: set[int]) -> Field | None:
    typed = [
        f
        for f in form.fields
        if f.kind == "text" and f.name and not f.disabled and not f.readonly and id(f) not in unit_ids
    ]
    for f in typed:
        if VALUE_HINT.search(f.hint):
            return f
    return typed[0] if typed else None


# --- the site ---------------------------------------------------------------------------------

LOCAL_HOSTS = {"app.invalid", "localhost", "127.0.0.1", "0.0.0.0", "::1", ""}
ASSET = re.compile(
    r"\.(css|js|mjs|map|png|jpe?g|gif|svg|ico|webp|avif|pdf|zip|json|xml|txt|woff2?|ttf|otf|eot|mp4|webm)$", re.I
)
GUESSES = {"length": ("/length",), "weight": ("/weight", "/mass"), "temperature": ("/temperature", "/temp")}
MAX_PAGES = 15
MAX_REDIRECTS = 5
MAX_SCRIPTS = 8  # scripts read per page that writes no form into its HTML


@dataclass
class Page:
    path: str
    status: int
    response: object
    doc: Document | None
    by_link: bool = True  # reached from / by following links (else: tried at a usual address)


@dataclass
class Site:
    pages: dict[str, Page] = field(default_factory=dict)
    root: Page | None = None
    converters: dict[str, Converter] = field(default_factory=dict)
    scripts: dict[str, str] = field(default_factory=dict)  # path -> text of the scripts pages load
    notes: list[str] = field(default_factory=list)  # what went wrong on pages linked from /, for messages

    def linked(self) -> list[Page]:
        return [page for page in self.pages.values() if page.by_link]

    def page_with_loose_units(self, category: str) -> str | None:
        """A linked page showing this category's units outside any <form> (a page run by JavaScript)."""
        for page in self.linked():
            if page.doc is None:
                continue
            for f in page.doc.loose:
                if len({unit_of(category, o) for o in f.options} - {None}) >= 2:
                    return page.path
        return None

    def scripted(self) -> bool:
        """Whether the linked pages have no form at all but run scripts (forms built in the browser)."""
        docs = [page.doc for page in self.linked() if page.doc is not None]
        return bool(docs) and not any(doc.forms for doc in docs) and any(doc.scripts or doc.script_srcs for doc in docs)


def local_path(base: str, href: str) -> str | None:
    """`href` (relative to the page at path `base`) as a path and query on this app, or None if elsewhere."""
    href = href.strip()
    if not href or href.startswith("#") or re.match(r"^(mailto|javascript|tel|data):", href, re.I):
        return None
    url = urlsplit(urljoin(f"http://app.invalid{base}", href))
    if url.scheme not in ("http", "https") or (url.hostname or "") not in LOCAL_HOSTS:
        return None
    path = url.path or "/"
    return path + (f"?{url.query}" if url.query else "")


def _looks_html(r) -> bool:
    return r.content_type in ("text/html", "application/xhtml+xml", "") or r.text.lstrip()[:1] == "<"


def fetch(app, path: str, site: Site | None = None, by_link: bool = True):
    """GET a page, following the app's redirects within the app; (final path, response), or (path, None)."""
    return follow(app, path, "GET", None, None, site, by_link)


def _request(app, method, path, body, headers):
    try:
        return app.request(method, path, content=body, headers=headers)
    except ExchangeError as exc:
        if "closed the connection" not in exc.message:
            raise
    # A server may close a kept-alive connection just after answering (uvicorn does after a 500);
    # a browser then sends the request again on a new connection, and so does the grader.
    return app.request(method, path, content=body, headers=headers)


def follow(app, path, method, body, headers, site, by_link=True):
    for _ in range(MAX_REDIRECTS + 1):
        try:
            r = _request(app, method, path, body, headers)
        except ExchangeError as exc:
            if site is None:
                raise  # the test fails with the client's own message ("could not connect to the app ...")
            if by_link:
                site.notes.append(f"{method} {path}: {exc.message}")
            return path, None
        if r.status_code in (301, 302, 303, 307, 308) and r.headers.get("location"):
            target = local_path(path.split("?")[0], r.headers["location"])
            if target is None:
                return path, r
            if r.status_code in (301, 302, 303):
                method, body, headers = "GET", None, None
            path = target
            continue
        return path, r
    return path, r


def discover(app) -> Site:
    """Find the converters from `/` as a visitor does: the forms of `/` and of the pages it links to."""
    site = Site()
    queue: list[tuple[str, int]] = [("/", 0)]
    seen = {"/"}
    while queue and len(site.pages) < MAX_PAGES:
        path, depth = queue.pop(0)
        if path in site.pages:
            continue
        page = _visit(app, site, path)
        if page is None or page.doc is None:
            continue
        if depth < 2:
            for href in page.doc.links:
                target = local_path(page.path.split("?")[0], href)
                if target and target not in seen and not ASSET.search(target.split("?")[0]):
                    seen.add(target)
                    queue.append((target, depth + 1))
    for category in CATEGORIES:
        if category in site.converters and site.converters[category].complete:
            continue
        for guess in GUESSES[category]:
            if guess in site.pages or guess in seen:
                continue
            seen.add(guess)
            _visit(app, site, guess, by_link=False)
            if category in site.converters and site.converters[category].complete:
                break
    return site


def _visit(app, site: Site, path: str, by_link: bool = True) -> Page | None:
    final, r = fetch(app, path, site, by_link)
    if r is None:
        return None
    if final in site.pages and final != path:
        return None
    doc = Document(r.text) if r.status_code < 400 and _looks_html(r) else None
    page = Page(final, r.status_code, r, doc, by_link)
    site.pages[final] = page
    if path == "/":
        site.root = page
    if r.status_code >= 400:
        if by_link:
            site.notes.append(f"GET {path} answered {r.status_code}")
        return page
    if doc is None:
        return page
    sources = _scripts(app, site, final, doc) if doc.scripts or doc.script_srcs else []
    forms = doc.forms or [form for source in sources for form in script_forms(source)]
    if any("preventDefault" in source for source in sources):  # a script sends the forms itself
        for form in forms:
            if not form.action:
                form.sender = next((s for s in (sender_for(code, form) for code in sources) if s), None)
    for form in forms:
        for category, converter in read_converters(form, final).items():
            converter.reached_by_link = by_link
            known = site.converters.get(category)
            if known is None or (not known.complete and converter.complete):
                site.converters[category] = converter
    return page


def _scripts(app, site: Site, path: str, doc: Document) -> list[str]:
    """The text of a page's scripts: inline ones, and those it loads from the app (fetched once per site)."""
    sources = list(doc.scripts)
    for src in doc.script_srcs[:MAX_SCRIPTS]:
        target = local_path(path.split("?")[0], src)
        if target is None:
            continue
        if target not in site.scripts:
            try:
                r = _request(app, "GET", target, None, None)
            except ExchangeError as exc:
                site.notes.append(f"GET {target}: {exc.message}")
                r = None
            site.scripts[target] = r.text if r is not None and r.status_code < 400 else ""
        sources.append(site.scripts[target])
    return sources


# --- submitting a form ------------------------------------------------------------------------


def form_pairs(converter: Converter, value: str, unit_from: str, unit_to: str) -> list[tuple[str, str]]:
    """The name=value pairs a browser sends for the form, with the value and the two units filled in.

    `unit_from` and `unit_to` are the values to send (an option's value, or anything else for a
    test of an unknown unit).
    """
    chosen = {id(converter.unit_fields[0]): unit_from, id(converter.unit_fields[1]): unit_to}
    pairs: list[tuple[str, str]] = []
    submitted = False
    for f in converter.form.fields:
        if f.disabled or not f.name and f.kind != "submit":
            continue
        if id(f) in chosen:
            pairs.append((f.name, chosen[id(f)]))
        elif f is converter.value_field:
            pairs.append((f.name, value))
        elif f is converter.category_field:
            pairs.append((f.name, converter.category_value))
        elif f.kind in ("text", "hidden"):
            pairs.append((f.name, f.value))
        elif f.kind == "select":
            options = [o for o in f.options if not o.disabled] or f.options
            picked = next((o for o in options if o.selected), options[0] if options else None)
            if picked is not None:
                pairs.append((f.name, picked.value))
        elif f.kind == "radio":
            picked = next((o for o in f.options if o.selected), None)
            if picked is not None:
                pairs.append((f.name, picked.value))
        elif f.kind == "checkbox" and f.checked:
            pairs.append((f.name, f.value))
        elif f.kind == "submit" and not submitted:
            submitted = True  # the button that was clicked: the first one
            if f.name:
                pairs.append((f.name, f.value))
    return pairs


def submit(app, converter: Converter, pairs: list[tuple[str, str]], site: Site | None = None):
    """Send the form as a browser does (its action, method and encoding); (final path, response or None)."""
    page = converter.page
    if converter.form.sender is not None:
        method, target, body, headers = script_request(converter.form.sender, converter.form, pairs)
        return follow(app, local_path(page.split("?")[0], target) or target, method, body, headers, site)
    action = local_path(page.split("?")[0], converter.form.action) if converter.form.action else page
    if action is None:
        action = page
    if converter.form.method == "get":
        target = action.split("?")[0] + "?" + urlencode(pairs)
        return follow(app, target, "GET", None, None, site)
    if converter.form.enctype == "multipart/form-data":
        boundary = "----stagecraftFormBoundary7MA4YWxkTrZu0gW"
        parts = []
        for name, value in pairs:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
        body = ("".join(parts) + f"--{boundary}--\r\n").encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    else:
        body = urlencode(pairs, quote_via=quote_plus).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return follow(app, action, "POST", body, headers, site)


def describe_request(converter: Converter, pairs: list[tuple[str, str]]) -> str:
    page = converter.page
    if converter.form.sender is not None:
        method, target, body, _ = script_request(converter.form.sender, converter.form, pairs)
        sent = f" with {body.decode('utf-8', 'replace')}" if body else ""
        return f"{method} {target}{sent}, as the page's script sends the form"
    action = local_path(page.split("?")[0], converter.form.action) if converter.form.action else page
    fields = "&".join(f"{k}={v}" for k, v in pairs)
    return f"{converter.form.method.upper()} {(action or page).split('?')[0]} with {fields}"
