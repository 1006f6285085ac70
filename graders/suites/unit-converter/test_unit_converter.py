"""Grader suite for the stage 1 exercise unit-converter (see the exercise's README for the brief)."""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from stagecraft_grader import check, check_equal, fail, hint, points, title

# Each unit's size in the category's base unit (mm, g); temperatures have their own formulas.
LENGTH = {
    "mm": 1.0,
    "cm": 10.0,
    "m": 1000.0,
    "km": 1_000_000.0,
    "in": 25.4,
    "ft": 304.8,
    "yd": 914.4,
    "mi": 1_609_344.0,
}
WEIGHT = {"mg": 0.001, "g": 1.0, "kg": 1000.0, "oz": 28.349523125, "lb": 453.59237}
TEMPERATURE = ["C", "F", "K"]
UNITS = {"/length": list(LENGTH), "/weight": list(WEIGHT), "/temperature": TEMPERATURE}
PAGES = list(UNITS)

# The result is written with 4 decimals, so the learner's rounding may differ from ours by 0.0001.
TOLERANCE = 0.0002
RESULT_RE = re.compile(r"^(-?\d+(?:\.\d+)?)\s+(\S+)$")


class Page(HTMLParser):
    """The parts of an HTML page the tests look at: links, forms and fields, and elements by id."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.links = []
        self.forms = []  # {"method", "action", "inputs": set, "selects": {name: [values]}}
        self.ids = {}  # id -> text inside the element
        self._open = []  # (tag, id or None) of the elements not yet closed
        self._select = None
        self._option = None  # [value attribute or None, text]
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        form = self.forms[-1] if self.forms else None
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append(
                {
                    "method": a.get("method", "get").lower(),
                    "action": a.get("action", ""),
                    "inputs": set(),
                    "selects": {},
                }
            )
        elif tag in ("input", "textarea") and form is not None and a.get("name"):
            form["inputs"].add(a["name"])
        elif tag == "select" and form is not None:
            self._select = form["selects"].setdefault(a.get("name", ""), [])
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), ""]
        if tag not in self.VOID:
            self._open.append((tag, a.get("id")))
            if a.get("id") and a["id"] not in self.ids:
                self.ids[a["id"]] = ""

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in ("option", "select") and self._option is not None:
            value, text = self._option
            self._select.append((value if value is not None else text).strip())
            self._option = None
        if tag == "select":
            self._select = None
        # Close up to the matching open tag (tolerates unclosed <p>, <li> ...).
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data
        for _, element_id in self._open:
            if element_id:
                self.ids[element_id] += data


def _html_page(r, status, what):
    check_equal(r.status_code, status, f"the status code of {what}")
    check_equal(r.content_type, "text/html", f"the Content-Type media type of {what}")
    return Page(r.text)


def _number(rng):
    # A whole part and a quarter fraction: never 0, never 32, so every formula shows its mistakes.
    return rng.randint(1, 900) + rng.choice([0.25, 0.5, 0.75])


def _convert(path, value, unit_from, unit_to):
    if path == "/length":
        return value * LENGTH[unit_from] / LENGTH[unit_to]
    if path == "/weight":
        return value * WEIGHT[unit_from] / WEIGHT[unit_to]
    celsius = {"C": value, "F": (value - 32) * 5 / 9, "K": value - 273.15}[unit_from]
    return {"C": celsius, "F": celsius * 9 / 5 + 32, "K": celsius + 273.15}[unit_to]


def _check_conversion(app, path, value, unit_from, unit_to):
    what = f"POST {path} converting {value} {unit_from} to {unit_to}"
    r = app.post(path, data={"value": str(value), "from": unit_from, "to": unit_to})
    page = _html_page(r, 200, what)
    if "result" not in page.ids:
        fail(f'expected the answer to {what} to have an element with id="result"')
    text = " ".join(page.ids["result"].split())
    match = RESULT_RE.match(text)
    check(
        match is not None,
        f'expected the text of id="result" to be a number, a space and the unit, like "6.0960 {unit_to}"',
        got=text,
    )
    expected = _convert(path, value, unit_from, unit_to)
    got = float(match.group(1))
    check(
        abs(got - expected) <= TOLERANCE + 1e-9 * abs(expected),
        f"expected {value} {unit_from} to be {expected:.4f} {unit_to} (to within {TOLERANCE})",
        got=text,
    )
    check_equal(match.group(2), unit_to, 'the unit in the text of id="result"')


def _check_error(r, what):
    page = _html_page(r, 400, what)
    if "error" not in page.ids:
        fail(f'expected the answer to {what} to have an element with id="error"')
    return page


@title("GET / answers an HTML page linking to the three converters")
@points(1)
@hint(
    'Answer GET / with status 200, "Content-Type: text/html; charset=utf-8" and links '
    '<a href="/length">, <a href="/weight"> and <a href="/temperature">.'
)
def test_index_links(app):
    page = _html_page(app.get("/"), 200, "GET /")
    paths = {urlsplit(urljoin("/", href)).path for href in page.links}
    missing = [p for p in PAGES if p not in paths]
    check(not missing, f"expected links to {', '.join(PAGES)}; missing {', '.join(missing)}", got=page.links)


@title("The pages say they are UTF-8 HTML")
@points(1)
@hint('Send the header "Content-Type: text/html; charset=utf-8" with every page, including / and the three converters.')
def test_pages_content_type(app):
    for path in ["/"] + PAGES:
        r = app.get(path)
        check_equal(r.status_code, 200, f"the status code of GET {path}")
        content_type = r.headers.get("content-type", "")
        check_equal(r.content_type, "text/html", f"the Content-Type media type of GET {path}")
        params = content_type.lower().replace(" ", "").split(";")[1:]
        check(
            "charset=utf-8" in params,
            f"expected the Content-Type of GET {path} to include charset=utf-8",
            got=content_type,
        )


@title("Each converter page has a POST form with value, from and to")
@points(2)
@hint(
    'Each page needs <form method="post"> with <input name="value"> and two <select>s named '
    '"from" and "to", each offering exactly that page\'s units as option values.'
)
def test_form_fields(app):
    for path in PAGES:
        page = _html_page(app.get(path), 200, f"GET {path}")
        forms = [f for f in page.forms if f["method"] == "post"]
        check(
            forms,
            f'expected GET {path} to have a <form method="post">',
            got=f'{len(page.forms)} form(s), none with method="post"',
        )
        form = forms[0]
        action = urlsplit(urljoin(path, form["action"])).path if form["action"] else path
        check_equal(action, path, f"the path the form of {path} posts to")
        check(
            "value" in form["inputs"],
            f'expected the form of {path} to have an input named "value"',
            got=sorted(form["inputs"]),
        )
        for name in ("from", "to"):
            check(
                name in form["selects"],
                f'expected the form of {path} to have a <select name="{name}">',
                got=sorted(form["selects"]),
            )
            check_equal(sorted(form["selects"][name]), sorted(UNITS[path]), f'the option values of "{name}" on {path}')


@title("POST /length converts between length units")
@points(2)
@hint(
    "Convert through one base unit: 1 in = 25.4 mm, 1 ft = 304.8 mm, 1 yd = 914.4 mm, "
    '1 mi = 1609344 mm. Write the result with 4 decimals and the unit, e.g. "6.0960 m".'
)
def test_convert_length(app, rng):
    for _ in range(2):
        unit_from, unit_to = rng.sample(UNITS["/length"], 2)
        _check_conversion(app, "/length", _number(rng), unit_from, unit_to)


@title("POST /weight converts between weight units")
@points(2)
@hint(
    "Convert through grams: 1 mg = 0.001 g, 1 kg = 1000 g, 1 oz = 28.349523125 g, "
    '1 lb = 453.59237 g. Write the result with 4 decimals and the unit, e.g. "2.2046 lb".'
)
def test_convert_weight(app, rng):
    for _ in range(2):
        unit_from, unit_to = rng.sample(UNITS["/weight"], 2)
        _check_conversion(app, "/weight", _number(rng), unit_from, unit_to)


@title("POST /temperature converts between C, F and K")
@points(2)
@hint(
    "Go through Celsius: C = (F - 32) * 5 / 9, F = C * 9 / 5 + 32, K = C + 273.15. "
    "Temperatures are not proportional, so a single factor per unit cannot work."
)
def test_convert_temperature(app, rng):
    other = rng.choice(["C", "K"])
    pairs = [rng.choice([("F", other), (other, "F")]), tuple(rng.sample(["C", "K"], 2))]
    for unit_from, unit_to in pairs:
        _check_conversion(app, "/temperature", _number(rng), unit_from, unit_to)


@title("A value that is not a number answers 400 with an error")
@points(1)
@hint(
    'When "value" is not a number (or is empty), answer 400 with an HTML page holding an '
    'element with id="error" that explains what was wrong.'
)
def test_invalid_number_400(app, rng):
    path = rng.choice(PAGES)
    unit_from, unit_to = rng.sample(UNITS[path], 2)
    value = rng.choice(["ten", "abc", "12abc", "1,5", ""])
    what = f"POST {path} with value={value!r}"
    _check_error(app.post(path, data={"value": value, "from": unit_from, "to": unit_to}), what)


@title("An unknown unit answers 400 with an error")
@points(1)
@hint(
    'When "from" or "to" is not one of the page\'s units, answer 400 with an HTML page '
    'holding an element with id="error" (a weight unit on /length is unknown too).'
)
def test_unknown_unit_400(app, rng):
    path = rng.choice(PAGES)
    known = rng.choice(UNITS[path])
    foreign = [u for p in PAGES if p != path for u in UNITS[p] if u not in UNITS[path]]
    unknown = rng.choice(foreign + ["parsec", f"unit{rng.randint(10, 99)}"])
    field = rng.choice(["from", "to"])
    data = {"value": str(_number(rng)), "from": known, "to": known}
    data[field] = unknown
    _check_error(app.post(path, data=data), f"POST {path} with {field}={unknown!r}")


@title("Input echoed in the error page is HTML-escaped")
@points(2)
@hint(
    "Escape &, <, >, \" and ' before writing user input into a page (html.escape in Python, "
    "Jinja does it for you; by hand in Node), so a value like <script> shows as text."
)
def test_escapes_input(app, rng):
    path = rng.choice(PAGES)
    unit_from, unit_to = rng.sample(UNITS[path], 2)
    payload = f"<script>alert({rng.randint(100, 999)})</script>"
    r = app.post(path, data={"value": payload, "from": unit_from, "to": unit_to})
    page = _check_error(r, f"POST {path} with a <script> value")
    check(
        payload not in r.text,
        "expected the value not to appear raw in the page (escape it)",
        got="the page contains " + payload,
    )
    check(
        payload in page.ids["error"],
        'expected the text of id="error" to show the rejected value (escaped)',
        got=" ".join(page.ids["error"].split()),
    )
