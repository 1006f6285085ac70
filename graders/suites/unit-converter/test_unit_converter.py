"""Grader suite for the stage 1 exercise unit-converter (see the exercise's README for the brief).

The public spec (roadmap.sh/projects/unit-converter) asks for a web page, or one page per kind of
unit, where a person types a value, picks the units to convert from and to, submits the form to
the server and sees the converted value. Everything else is the developer's choice, so these tests
read the app as a person does (see converter_site.py): the converters are found from `/`, the
forms are read from the HTML and filled in, and the converted number is looked for anywhere in the
answer page, rounded to 2 or more decimals. The spec tests decide the verdict; the craft tests
check the extra practice the exercise's brief adds (validation, escaping, a declared charset).
"""

import re

from converter_html import Document, live_script_with
from converter_site import describe_request, discover, form_pairs, submit
from converter_units import CATEGORIES, SIZES, UNIT_NAMES, close_enough, convert, numbers_in, show_number

from stagecraft_grader import check, craft, fail, hint, not_graded, points, spec, title

UNIT_LISTS = {
    "length": "mm, cm, m, km, in, ft, yd, mi",
    "weight": "mg, g, kg, oz, lb",
    "temperature": "°C, °F, K",
}
# Words of an error message, looked for in the text an answer adds to the blank form's page.
ERROR_WORDS = re.compile(
    r"\b(errors?|invalid|valid|unknown|unsupported|not supported|unrecogni[sz]ed|not recogni[sz]ed|must|please"
    r"|cannot|can't|can not|could not|couldn't|wrong|incorrect|not a number|numeric|required|missing"
    r"|not allowed|bad|fail(ed|s)?|oops|sorry)\b",
    re.I,
)
HTML_TYPES = ("text/html", "application/xhtml+xml", "")


# --- helpers ----------------------------------------------------------------------------------


def _converter(app, category):
    """The category's converter, found and readable, or the test is not graded (another test says why)."""
    site = discover(app)
    converter = site.converters.get(category)
    if converter is None:
        not_graded(f"no {category} converter was found from /, so nothing could be converted: see converters_reachable")
    if converter.problems():
        not_graded(f"the {category} form cannot be filled in as it is: see the test form_fields")
    return site, converter


def _any_converter(app, rng):
    site = discover(app)
    usable = [c for c in site.converters.values() if not c.problems()]
    if not usable:
        not_graded("no converter form could be filled in: make converters_reachable and form_fields pass first")
    return site, rng.choice(usable)


def _value(rng):
    # A whole part and a quarter fraction: never 0 and never 32, so every formula shows its mistakes.
    return rng.randint(100, 900) + rng.choice([0.25, 0.5, 0.75])


def _text(x):
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def _pairs(units, rng):
    """Each unit once as the source and once as the target: a cycle through the units in random order."""
    units = list(units)
    rng.shuffle(units)
    return [(units[i], units[(i + 1) % len(units)]) for i in range(len(units))]


def _and(words):
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _numbers_shown(numbers):
    if not numbers:
        return "no number at all"
    shown = list(dict.fromkeys(show_number(n) for n in numbers))
    more = f" and {len(shown) - 12} more" if len(shown) > 12 else ""
    return "the numbers " + ", ".join(shown[:12]) + more


def _check_conversion(app, converter, unit_from, unit_to, value, expected):
    category = converter.category
    sent = (converter.units[0][unit_from], converter.units[1][unit_to])
    pairs = form_pairs(converter, value, *sent)
    what = f"converting {value} {UNIT_NAMES[unit_from]} to {UNIT_NAMES[unit_to]} ({describe_request(converter, pairs)})"
    _, r = submit(app, converter, pairs)
    check(r.status_code < 500, f"expected the {category} converter to answer {what}, got status {r.status_code}")
    numbers = numbers_in(Document(r.text).text) if r.content_type in HTML_TYPES else numbers_in(r.text)
    check(
        any(close_enough(n, expected) for n in numbers),
        f"expected the answer to {what} to show {show_number(expected)} (rounded to 2 or more decimals is fine), "
        f"but the page (status {r.status_code}) shows {_numbers_shown(numbers)}",
    )


def _check_same_unit(app, converter, rng):
    """Both choices left on one unit, as a form first shows them: any answer but a crash."""
    unit = rng.choice(converter.common_units())
    value = _text(_value(rng))
    sent = (converter.units[0][unit], converter.units[1][unit])
    pairs = form_pairs(converter, value, *sent)
    what = f"converting {value} {UNIT_NAMES[unit]} to {UNIT_NAMES[unit]} ({describe_request(converter, pairs)})"
    _, r = submit(app, converter, pairs)
    check(r.status_code < 500, f"expected the {converter.category} converter to answer {what}, got {r.status_code}")


def _check_linear(app, rng, category):
    _, converter = _converter(app, category)
    units = converter.common_units()
    sizes = SIZES[category]
    for unit_from, unit_to in _pairs(units, rng):
        factor = sizes[unit_from] / sizes[unit_to]
        # Choose the value so that the answer is at least 100: rounding it to 2 decimals then stays
        # far within the 0.1 % tolerance, which a wrong factor (454.592 g for a pound, 0.2 %) is not.
        value = _text(_value(rng) if factor >= 1 else _value(rng) / factor)
        expected = convert(category, float(value), unit_from, unit_to)
        _check_conversion(app, converter, unit_from, unit_to, value, expected)
    _check_same_unit(app, converter, rng)


def _form_page_texts(site, converter):
    page = site.pages.get(converter.page)
    return set(page.doc.texts) if page is not None and page.doc is not None else set()


def _check_refused(site, converter, r, what):
    """A refusal a person can see: a 4xx with a page, or a page that adds an error message; never a 5xx."""
    check(r.status_code < 500, f"expected {what} to be refused with a message, got status {r.status_code} (a crash)")
    if 400 <= r.status_code < 500:
        check(r.text.strip(), f"expected the {r.status_code} answer to {what} to say what was wrong, got an empty body")
        return
    new = [t for t in Document(r.text).texts if t not in _form_page_texts(site, converter)]
    check(
        any(ERROR_WORDS.search(t) for t in new),
        f"expected the answer to {what} to say the input was wrong (with a 4xx status or an error message on the "
        f"page), but it answered {r.status_code} with no error message"
        + (f"; the page shows: {' | '.join(new[:6])[:300]}" if new else ""),
    )


# --- spec tests -------------------------------------------------------------------------------


@title("From /, a visitor finds converters for length, weight and temperature")
@points(1)
@spec(
    "Build a simple web page that will have different sections for different units of measurement "
    "(length, weight, temperature), e.g. 3 webpages, each with a form to input the value and select the units."
)
@hint(
    'Answer GET / with a page that holds the converters\' forms or links to them (e.g. <a href="/length">). '
    "A converter is an HTML <form> with a field for the value and two choices of units (a <select> each)."
)
def test_converters_reachable(app):
    site = discover(app)
    root = site.root
    if root is None:
        fail("expected GET / to answer a page, got " + (site.notes[0] if site.notes else "nothing"))
    check(root.status < 400, f"expected GET / to answer a converter or links to them, got status {root.status}")
    missing = [c for c in CATEGORIES if c not in site.converters]
    problems = []
    if missing:
        pages = ", ".join(page.path for page in site.linked())
        forms = sum(len(page.doc.forms) for page in site.linked() if page.doc is not None)
        problem = (
            f"a <form> converting {_and(missing)} units (a field for the value and a choice among "
            f"{'; '.join(UNIT_LISTS[c] for c in missing)}) on / or the pages it links to, but "
            + (f"none of the {forms} form(s) on {pages} offers them" if forms else f"there is no <form> on {pages}")
        )
        loose = [(c, site.page_with_loose_units(c)) for c in missing]
        loose = [(c, p) for c, p in loose if p]
        if loose:
            problem += (
                f"; {loose[0][1]} shows {loose[0][0]} units outside any <form>, so nothing is submitted to the "
                "server (the spec's page submits its form to the server, which converts)"
            )
        elif site.scripted():
            problem += (
                "; the pages run JavaScript, which the grader does not: it reads the forms in the HTML the "
                "server sends and the <form> markup written in the page's scripts, and found neither"
            )
        problems.append(problem)
    for category, converter in site.converters.items():
        if not converter.reached_by_link:
            problems.append(
                f"a link to the {category} converter, which is at {converter.page} but not linked from / "
                "or the pages it links to"
            )
    if problems and site.notes:
        problems.append("while looking: " + "; ".join(dict.fromkeys(site.notes)))
    check(not problems, "expected " + "; and ".join(problems))


@title("Each converter's form has a value to type and the units to convert from and to")
@points(2)
@spec(
    "The user can input a value to convert. The user can select the units to convert from and to. "
    "There will be a simple webpage that will submit the form to the server."
)
@hint(
    'Give each converter a <form method="post"> (or get) with an <input name=...> for the value and two '
    "<select name=...>s of units, one to convert from and one to convert to. Names and option values are yours."
)
def test_form_fields(app):
    site = discover(app)
    if not site.converters:
        not_graded("no converter form was found from /: see the test converters_reachable")
    problems = [p for converter in site.converters.values() for p in converter.problems()]
    check(not problems, "expected " + "; ".join(problems))


@title("The length converter shows the right converted value")
@points(2)
@spec("The user can view the converted value. Length: millimeter, centimeter, meter, kilometer, inch, foot, yard, mile")
@hint(
    "Convert through one base unit: 1 in = 25.4 mm, 1 ft = 304.8 mm, 1 yd = 914.4 mm, 1 mi = 1609.344 m. "
    "Show the result on the answer page, rounded to 2 or more decimals."
)
def test_convert_length(app, rng):
    _check_linear(app, rng, "length")


@title("The weight converter shows the right converted value")
@points(2)
@spec("The user can view the converted value. Weight: milligram, gram, kilogram, ounce, pound.")
@hint(
    "Convert through grams: 1 mg = 0.001 g, 1 kg = 1000 g, 1 oz = 28.349523125 g, 1 lb = 453.59237 g. "
    "Show the result on the answer page, rounded to 2 or more decimals."
)
def test_convert_weight(app, rng):
    _check_linear(app, rng, "weight")


@title("The temperature converter shows the right converted value")
@points(2)
@spec("The user can view the converted value. Temperature: Celsius, Fahrenheit, Kelvin.")
@hint(
    "Go through Celsius: C = (F - 32) * 5 / 9, F = C * 9 / 5 + 32, K = C + 273.15. "
    "Temperatures are not proportional, so a single factor per unit cannot work."
)
def test_convert_temperature(app, rng):
    _, converter = _converter(app, "temperature")
    units = converter.common_units()
    for unit_from, unit_to in _pairs(units, rng):
        expected = 0.0
        while abs(expected) < 1:  # a result near 0 would not show a rounding mistake from a formula's
            value = _text(_value(rng))
            expected = convert("temperature", float(value), unit_from, unit_to)
        _check_conversion(app, converter, unit_from, unit_to, value, expected)
    _check_same_unit(app, converter, rng)


# --- craft tests ------------------------------------------------------------------------------


@title("The pages say they are UTF-8 HTML")
@points(1)
@craft(
    "Without a declared charset a browser guesses the page's encoding, and a wrong guess shows °C or a "
    "learner's own accents as mojibake."
)
@hint(
    'Send "Content-Type: text/html; charset=utf-8" with every page (Flask, Express and FastAPI do it for '
    'you), or at least put <meta charset="utf-8"> in the page\'s <head>.'
)
def test_pages_content_type(app):
    site = discover(app)
    paths = ["/"] + [c.page for c in site.converters.values()]
    pages = [site.pages[p] for p in dict.fromkeys(paths) if p in site.pages and site.pages[p].status < 400]
    if not pages:
        not_graded("no page was found from /: see the test converters_reachable")
    for page in pages:
        r = page.response
        content_type = r.headers.get("content-type", "")
        check(
            r.content_type == "text/html",
            f"expected GET {page.path} to be sent as HTML (Content-Type: text/html; charset=utf-8)",
            got=content_type or "no Content-Type",
        )
        params = content_type.lower().replace(" ", "").split(";")[1:]
        meta = page.doc.meta_charset if page.doc is not None else ""
        check(
            "charset=utf-8" in params or meta in ("utf-8", "utf8"),
            f"expected GET {page.path} to declare the UTF-8 charset (in Content-Type, or a <meta charset>)",
            got=content_type,
        )


@title("A value that is not a number is refused with a message")
@points(1)
@craft(
    "A number field in the browser does not stop curl, a script or an old browser: the server must check "
    "the value and answer a clear message, not crash (500) or show NaN."
)
@hint(
    "Parse the value on the server; when it is not a number (ten, 12abc, 1,5 or empty), answer the form "
    "again with a message saying so (status 400 is the clearest, 200 with the message is fine too)."
)
def test_invalid_number(app, rng):
    site, converter = _any_converter(app, rng)
    units = converter.common_units()
    value = rng.choice(["ten", "abc", "12abc", "1,5", ""])
    pairs = form_pairs(converter, value, converter.units[0][units[0]], converter.units[1][units[1]])
    what = f"the {converter.category} form with the value {value!r} ({describe_request(converter, pairs)})"
    _, r = submit(app, converter, pairs)
    _check_refused(site, converter, r, what)


@title("An unknown unit is refused with a message")
@points(1)
@craft(
    "Form values come from the client and can be anything: checking the unit against the known ones avoids "
    "a crash (500) or a silent wrong answer (NaN, undefined, the value unchanged)."
)
@hint(
    "Check both units against the page's list on the server; for any other, answer the form again with a "
    "message naming the unknown unit (status 400 is the clearest, 200 with the message is fine too)."
)
def test_unknown_unit(app, rng):
    site, converter = _any_converter(app, rng)
    units = converter.common_units()
    unknown = rng.choice(["parsec", "cubit", f"unit{rng.randint(10, 99)}"])
    sent = [converter.units[0][units[0]], converter.units[1][units[1]]]
    side = rng.randrange(2)
    sent[side] = unknown
    pairs = form_pairs(converter, _text(_value(rng)), *sent)
    name = converter.unit_fields[side].name
    what = f"the {converter.category} form with {name}={unknown!r} ({describe_request(converter, pairs)})"
    _, r = submit(app, converter, pairs)
    _check_refused(site, converter, r, what)


@title("Input echoed into a page is HTML-escaped")
@points(2)
@craft(
    "Writing what a user sent back into a page unescaped lets anyone craft a link or form that runs their "
    "script in a visitor's browser (cross-site scripting)."
)
@hint(
    "Escape &, <, >, \" and ' before writing user input into a page (html.escape in Python; Jinja, EJS's <%= %> "
    "and most templates do it for you; by hand in plain Node), so a value like <script> shows as text."
)
def test_escapes_input(app, rng):
    _, converter = _any_converter(app, rng)
    units = converter.common_units()
    mark = rng.randint(100, 899)
    good = [converter.units[0][units[0]], converter.units[1][units[1]]]
    tries = [
        ("the value", f'"><script>alert({mark})</script>', good),
        (f"the unit {converter.unit_fields[0].name}", f'"><script>alert({mark + 1})</script>', good),
    ]
    for where, payload, sent in tries:
        if where == "the value":
            pairs = form_pairs(converter, payload, *sent)
        else:
            pairs = form_pairs(converter, _text(_value(rng)), payload, sent[1])
        _, r = submit(app, converter, pairs)
        if r.content_type not in HTML_TYPES:
            continue  # JSON or plain text is never run as markup by a browser
        marker = payload[payload.index("alert") : payload.index("</script>")]
        check(
            not live_script_with(Document(r.text), marker),
            f"expected what was sent as {where} to come back as text, but the answer (status {r.status_code}) "
            f"holds it as live markup: a <script> element running {marker}",
        )
