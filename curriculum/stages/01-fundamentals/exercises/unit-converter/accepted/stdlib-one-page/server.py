"""A unit converter on one page, with Python's standard library only."""

import html
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

# id: (kind, label, factor to the kind's base unit: metre, kilogram; None for temperatures)
UNITS = {
    "1": ("length", "Millimetre(s)", 0.001),
    "2": ("length", "Centimetre(s)", 0.01),
    "3": ("length", "Metre(s)", 1.0),
    "4": ("length", "Kilometre(s)", 1000.0),
    "5": ("length", "Inch(es)", 0.0254),
    "6": ("length", "Foot / Feet", 0.3048),
    "7": ("length", "Yard(s)", 0.9144),
    "8": ("length", "Mile(s)", 1609.344),
    "11": ("weight", "Milligram(s)", 0.000001),
    "12": ("weight", "Gram(s)", 0.001),
    "13": ("weight", "Kilogram(s)", 1.0),
    "14": ("weight", "Ounce(s)", 0.028349523125),
    "15": ("weight", "Pound(s)", 0.45359237),
    "21": ("temperature", "Degrees Celsius", None),
    "22": ("temperature", "Degrees Fahrenheit", None),
    "23": ("temperature", "Kelvin", None),
}
KINDS = {"length": "Length", "weight": "Weight", "temperature": "Temperature"}


def kelvin(value, unit):
    return {"21": value + 273.15, "22": (value - 32) * 5 / 9 + 273.15, "23": value}[unit]


def from_kelvin(k, unit):
    return {"21": k - 273.15, "22": (k - 273.15) * 9 / 5 + 32, "23": k}[unit]


def convert(value, src, dst):
    if UNITS[src][0] == "temperature":
        return from_kelvin(kelvin(value, src), dst)
    return value * UNITS[src][2] / UNITS[dst][2]


def options(selected):
    groups = []
    for kind, title in KINDS.items():
        items = "".join(
            f'<option value="{key}"{" selected" if key == selected else ""}>{label}</option>'
            for key, (k, label, _) in UNITS.items()
            if k == kind
        )
        groups.append(f'<optgroup label="{title}">{items}</optgroup>')
    return "".join(groups)


def render(form=None, message="", error=False):
    form = form or {}
    kind = form.get("kind", "length")
    kinds = "".join(
        f'<option value="{k}"{" selected" if k == kind else ""}>{title}</option>' for k, title in KINDS.items()
    )
    note = ""
    if message:
        note = f'<p class="{"error" if error else "answer"}">{html.escape(message)}</p>'
    return f"""<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>Converter</title></head>
<body>
<h1>Convert units</h1>
<form method="post" action="/convert">
  <select name="kind">{kinds}</select>
  <input name="q" size="12" value="{html.escape(form.get("q", ""))}">
  <select name="src">{options(form.get("src", "3"))}</select>
  into
  <select name="dst">{options(form.get("dst", "6"))}</select>
  <button>Go</button>
</form>
{note}
</body>
</html>
"""


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.split("?")[0] != "/":
            return self.reply(404, "<!DOCTYPE html><title>Not found</title><p>Not found. <a href='/'>Home</a></p>")
        self.reply(200, render())

    def do_POST(self):
        size = int(self.headers.get("Content-Length") or 0)
        fields = parse_qs(self.rfile.read(size).decode("utf-8", "replace"), keep_blank_values=True)
        form = {key: values[0] for key, values in fields.items()}
        if self.path != "/convert":
            return self.reply(404, "<!DOCTYPE html><title>Not found</title><p>Not found.</p>")
        kind, src, dst = form.get("kind"), form.get("src"), form.get("dst")
        try:
            value = float(form.get("q", ""))
        except ValueError:
            return self.reply(400, render(form, f"Invalid number: {form.get('q', '')}", error=True))
        if kind not in KINDS:
            return self.reply(400, render(form, "Choose length, weight or temperature.", error=True))
        for unit in (src, dst):
            if unit not in UNITS or UNITS[unit][0] != kind:
                return self.reply(400, render(form, f"Not a {kind} unit: {unit}", error=True))
        result = convert(value, src, dst)
        message = f"{value:g} {UNITS[src][1]} = {result:.10g} {UNITS[dst][1]}"
        self.reply(200, render(form, message))

    def reply(self, status, page):
        body = page.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    print("Serving on http://localhost:5000")
    ThreadingHTTPServer(("", 5000), Handler).serve_forever()
