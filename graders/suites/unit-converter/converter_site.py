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
from html.parser import HTMLParser
from urllib.parse import quote_plus, urlencode, urljoin, urlsplit

from stagecraft_grader import ExchangeError

# --- units ------------------------------------------------------------------------------------

CATEGORIES = ("length", "weight", "temperature")
# Each unit's size in its category's base unit (millimetres, grams); temperatures have formulas.
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
SIZES = {"length": LENGTH, "weight": WEIGHT}
UNITS = {"length": tuple(LENGTH), "weight": tuple(WEIGHT), "temperature": ("C", "F", "K")}

# What people write for each unit, in an option's label or value (compared after `_norm`).
ALIASES = {
    "length": {
        "mm": ("mm", "millimeter", "millimetre", "milimeter", "milimetre"),
        "cm": ("cm", "centimeter", "centimetre", "centimetr"),
        "m": ("m", "meter", "metre", "mtr"),
        "km": ("km", "kilometer", "kilometre", "kilometr", "kms"),
        "in": ("in", "inch", "inches", "ins"),
        "ft": ("ft", "foot", "feet"),
        "yd": ("yd", "yard", "yds"),
        "mi": ("mi", "mile", "miles"),
    },
    "weight": {
        "mg": ("mg", "milligram", "milligramme", "miligram"),
        "g": ("g", "gram", "gramme", "gm", "grm"),
        "kg": ("kg", "kilogram", "kilogramme", "kilo", "kgs", "kilos"),
        "oz": ("oz", "ounce", "ozs"),
        "lb": ("lb", "lbs", "pound", "pounds"),
    },
    "temperature": {
        "C": ("c", "celsius", "celcius", "centigrade", "degc", "degreesc"),
        "F": ("f", "fahrenheit", "farenheit", "fahrenheight", "fahrenhiet", "degf", "degreesf"),
        "K": ("k", "kelvin", "kelvins", "degk"),
    },
}
CATEGORY_NAMES = {
    "length": ("length", "lengths", "distance", "len"),
    "weight": ("weight", "weights", "mass", "wt"),
    "temperature": ("temperature", "temperatures", "temp", "temps"),
}
UNIT_NAMES = {
    "mm": "millimetres",
    "cm": "centimetres",
    "m": "metres",
    "km": "kilometres",
    "in": "inches",
    "ft": "feet",
    "yd": "yards",
    "mi": "miles",
    "mg": "milligrams",
    "g": "grams",
    "kg": "kilograms",
    "oz": "ounces",
    "lb": "pounds",
    "C": "°C",
    "F": "°F",
    "K": "K",
}


def _norm(text: str) -> str:
    text = text.lower().replace("℃", "c").replace("℉", "f").replace("°", "").replace("º", "").replace("˚", "")
    text = text.replace("µ", "u").replace("μ", "u")  # µm is not m
    text = re.sub(r"\b(degrees?|deg)\b", " ", text)
    return re.sub(r"[^a-z0-9]", "", text)


_LOOKUP = {
    category: {_norm(alias): unit for unit, aliases in table.items() for alias in aliases}
    for category, table in ALIASES.items()
}
_CATEGORY_LOOKUP = {_norm(alias): category for category, aliases in CATEGORY_NAMES.items() for alias in aliases}


def _candidates(text: str):
    """The readings of one label: whole, before and inside parentheses, and each part of "mm - Millimetre"."""
    text = text.strip()
    if not text:
        return
    yield text
    inside = re.findall(r"\(([^)]*)\)", text)
    before = text.split("(")[0]
    yield before
    yield from inside
    yield re.sub(r"\(s\)", "", text)
    yield from re.split(r"\s[-–—/|:]\s|,|/|\|", text)


def _lookup(table: dict[str, str], text: str) -> tuple[str | None, int]:
    """The unit `text` names, and how directly (0: the whole text, more: a part of it)."""
    for rank, candidate in enumerate(_candidates(text)):
        key = _norm(candidate)
        if not key:
            continue
        for form in (key, key[:-1] if key.endswith("s") else "", key[:-2] if key.endswith("es") else ""):
            if form and form in table:
                return table[form], rank
    return None, 99


def _read(table: dict[str, str], option: Option) -> tuple[str | None, int]:
    found, rank = _lookup(table, option.label)  # a person reads the label first
    if found is None:
        found, rank = _lookup(table, option.value)
    return found, rank


def unit_of(category: str, option: Option) -> str | None:
    """The unit an option stands for, read as a person does: its label first, else its value."""
    return _read(_LOOKUP[category], option)[0]


def category_of(option: Option) -> str | None:
    return _read(_CATEGORY_LOOKUP, option)[0]


def convert(category: str, value: float, unit_from: str, unit_to: str) -> float:
    if category in SIZES:
        sizes = SIZES[category]
        return value * sizes[unit_from] / sizes[unit_to]
    celsius = {"C": value, "F": (value - 32) * 5 / 9, "K": value - 273.15}[unit_from]
    return {"C": celsius, "F": celsius * 9 / 5 + 32, "K": celsius + 273.15}[unit_to]


# --- numbers in a page ------------------------------------------------------------------------

# 6.096, -173.15, 1,609,344.00, 1.448e+9, .5 ; a number glued to its unit ("6.0960m") counts too.
_NUMBER = re.compile(r"(?<![\w.])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?")
_DECIMAL_COMMA = re.compile(r"(?<![\w.,])[-−]?\d+,\d+(?![\d,])")
# Rounding to 2 decimals is the coarsest rounding accepted; conversions through rounded
# factors (1 mi = 1.60934 km, 1 lb = 0.4536 kg) stay well within 0.1 %.
ABSOLUTE_TOLERANCE = 0.0051
RELATIVE_TOLERANCE = 1e-3


def numbers_in(text: str) -> list[float]:
    found = []
    for match in _NUMBER.finditer(text):
        token = match.group().replace("−", "-").replace(",", "")
        if not re.search(r"\d", token):
            continue
        try:
            found.append(float(token))
        except ValueError:
            continue
    for match in _DECIMAL_COMMA.finditer(text):
        found.append(float(match.group().replace("−", "-").replace(",", ".")))
    return found


def close_enough(shown: float, expected: float) -> bool:
    return abs(shown - expected) <= ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * abs(expected)


def show_number(x: float) -> str:
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --- reading HTML -----------------------------------------------------------------------------


@dataclass
class Option:
    value: str  # what a browser sends
    label: str  # what a person reads
    selected: bool = False
    disabled: bool = False


@dataclass
class Field:
    kind: str  # "text" (typed into), "select", "radio", "checkbox", "hidden", "submit", "other"
    name: str
    value: str = ""
    options: list[Option] = field(default_factory=list)
    checked: bool = False
    disabled: bool = False
    readonly: bool = False
    ident: str = ""  # id attribute
    hint: str = ""  # placeholder, id and name, to tell the value field from others
    list_id: str = ""  # a text input's datalist


@dataclass
class Form:
    method: str
    action: str
    enctype: str
    fields: list[Field] = field(default_factory=list)


TEXT_TYPES = {"", "text", "number", "search", "tel", "decimal", "range"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HIDDEN_TEXT = {"script", "style", "template", "title"}


class Document(HTMLParser):
    """The parts of one HTML page a person uses: links, forms and their fields, and the visible text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.loose: list[Field] = []  # fields outside any <form> (a page driven by JavaScript)
        self.datalists: dict[str, list[Option]] = {}
        self.texts: list[str] = []  # visible text, one piece per run of text or input value
        self.scripts: list[str] = []  # the text of each <script> element (live markup)
        self.script_srcs: list[str] = []
        self.meta_charset = ""
        self._form: Form | None = None
        self._select: Field | None = None
        self._datalist: list[Option] | None = None
        self._option: Option | None = None
        self._option_has_value = False
        self._option_label_given = False
        self._hidden_depth = 0
        self._script: list[str] | None = None
        self._labels: list[dict] = []  # open <label>s: {"for": id, "text": [...], "radios": [...]}
        self._label_for: dict[str, str] = {}
        self._radios: list[tuple[Field, Option, list[str] | None]] = []
        self._textarea: Field | None = None
        try:
            self.feed(html)
            self.close()
        except Exception:  # noqa: BLE001 - a page too broken to parse is read as far as it went
            pass
        self._finish()

    # fields -----------------------------------------------------------------------------------

    def _add(self, f: Field) -> None:
        (self._form.fields if self._form is not None else self.loose).append(f)

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v if v is not None else "") for k, v in attrs if k}
        if tag in HIDDEN_TEXT:
            self._hidden_depth += 1
        if tag == "script":
            self._script = []
            if a.get("src"):
                self.script_srcs.append(a["src"])
        if tag == "meta":
            charset = a.get("charset", "")
            if not charset and a.get("http-equiv", "").lower() == "content-type":
                found = re.search(r"charset=([\w-]+)", a.get("content", ""), re.I)
                charset = found.group(1) if found else ""
            if charset:
                self.meta_charset = charset.lower()
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(
                method=(a.get("method") or "get").strip().lower(),
                action=a.get("action", "").strip(),
                enctype=(a.get("enctype") or "").strip().lower(),
            )
            self.forms.append(self._form)
        elif tag == "label":
            self._labels.append({"for": a.get("for", ""), "text": [], "radios": []})
        elif tag == "input":
            self._input(a)
        elif tag == "button":
            kind = "submit" if (a.get("type") or "submit").lower() == "submit" else "other"
            self._add(Field(kind, a.get("name", ""), a.get("value", ""), disabled="disabled" in a))
        elif tag == "textarea":
            self._textarea = Field(
                "text",
                a.get("name", ""),
                disabled="disabled" in a,
                readonly="readonly" in a,
                ident=a.get("id", ""),
                hint=" ".join([a.get("name", ""), a.get("id", ""), a.get("placeholder", "")]),
            )
            self._add(self._textarea)
        elif tag == "select":
            self._select = Field(
                "select",
                a.get("name", ""),
                disabled="disabled" in a,
                ident=a.get("id", ""),
                hint=" ".join([a.get("name", ""), a.get("id", "")]),
            )
            self._add(self._select)
        elif tag == "datalist":
            self._datalist = self.datalists.setdefault(a.get("id", ""), [])
        elif tag == "option" and (self._select is not None or self._datalist is not None):
            self._close_option()
            self._option = Option(a.get("value", ""), a.get("label", ""), "selected" in a, "disabled" in a)
            self._option_has_value = "value" in a
            self._option_label_given = "label" in a

    def _input(self, a: dict) -> None:
        kind_attr = (a.get("type") or "").strip().lower()
        name, value = a.get("name", ""), a.get("value", "")
        common = {
            "disabled": "disabled" in a,
            "readonly": "readonly" in a,
            "ident": a.get("id", ""),
            "hint": " ".join([name, a.get("id", ""), a.get("placeholder", "")]),
        }
        if kind_attr in TEXT_TYPES:
            f = Field("text", name, value, list_id=a.get("list", ""), **common)
        elif kind_attr == "hidden":
            f = Field("hidden", name, value, **common)
        elif kind_attr in ("submit", "image"):
            f = Field("submit", name, value, **common)
        elif kind_attr == "radio":
            f = Field("radio", name, value, checked="checked" in a, **common)
        elif kind_attr == "checkbox":
            f = Field("checkbox", name, value or "on", checked="checked" in a, **common)
        else:
            f = Field("other", name, value, **common)
        if kind_attr not in ("hidden", "password") and value and self._hidden_depth == 0:
            self.texts.append(value)  # a result shown in a (read-only) input is read by a person too
        if f.kind == "radio":
            label_text = self._labels[-1]["text"] if self._labels else None
            option = Option(value or "on", "", f.checked, f.disabled)
            self._radios.append((f, option, label_text))
            if self._labels:
                self._labels[-1]["radios"].append(option)
        self._add(f)

    def _close_option(self) -> None:
        if self._option is None:
            return
        option = self._option
        option.label = " ".join(option.label.split())
        if not self._option_has_value:
            option.value = option.label  # a browser sends the text of an option with no value
        if self._datalist is not None and self._select is None:
            if not option.label:
                option.label = option.value
            self._datalist.append(option)
        elif self._select is not None:
            self._select.options.append(option)
        self._option = None

    def handle_endtag(self, tag):
        if tag in HIDDEN_TEXT and self._hidden_depth:
            self._hidden_depth -= 1
        if tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None
        if tag in ("option", "select", "datalist"):
            self._close_option()
        if tag == "select":
            self._select = None
        elif tag == "datalist":
            self._datalist = None
        elif tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "label" and self._labels:
            label = self._labels.pop()
            text = " ".join("".join(label["text"]).split())
            for option in label["radios"]:
                option.label = option.label or text
            if label["for"]:
                self._label_for[label["for"]] = text

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)
        if self._option is not None:
            if not self._option_label_given:
                self._option.label += data
        if self._textarea is not None:
            self._textarea.value += data
        for label in self._labels:
            label["text"].append(data)
        if self._hidden_depth == 0:
            text = " ".join(data.split())
            if text:
                self.texts.append(text)

    def _finish(self) -> None:
        self._close_option()
        for f, option, _ in self._radios:
            if not option.label and f.ident in self._label_for:
                option.label = self._label_for[f.ident]
        # A group of radio buttons with one name is one choice, as a <select> is.
        for form_fields in [form.fields for form in self.forms] + [self.loose]:
            merged: list[Field] = []
            groups: dict[str, Field] = {}
            radio_options = {id(f): o for f, o, _ in self._radios}
            for f in form_fields:
                if f.kind != "radio":
                    merged.append(f)
                    continue
                group = groups.get(f.name)
                if group is None:
                    group = groups[f.name] = Field("radio", f.name, hint=f.name)
                    merged.append(group)
                option = radio_options.get(id(f), Option(f.value, ""))
                group.options.append(option)
            form_fields[:] = merged
        for form_fields in [form.fields for form in self.forms] + [self.loose]:
            for f in form_fields:
                if f.kind == "text" and f.list_id and f.list_id in self.datalists:
                    f.options = list(self.datalists[f.list_id])

    @property
    def text(self) -> str:
        return " \n".join(self.texts)


def live_script_with(doc: Document, marker: str) -> bool:
    """Whether the page holds a <script> element (live markup, not text) whose code contains `marker`."""
    return any(marker in script for script in doc.scripts)


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
    for form in doc.forms:
        for category, converter in read_converters(form, final).items():
            converter.reached_by_link = by_link
            known = site.converters.get(category)
            if known is None or (not known.complete and converter.complete):
                site.converters[category] = converter
    return page


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
    action = local_path(page.split("?")[0], converter.form.action) if converter.form.action else page
    fields = "&".join(f"{k}={v}" for k, v in pairs)
    return f"{converter.form.method.upper()} {(action or page).split('?')[0]} with {fields}"
