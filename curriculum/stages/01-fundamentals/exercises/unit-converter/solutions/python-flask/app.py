"""unit-converter reference solution: a Flask app rendering Jinja templates (which escape input)."""

import os
import re

from flask import Flask, abort, render_template, request

app = Flask(__name__)

# Each unit's size in its category's base unit: millimetres for length, grams for weight.
LENGTH = {"mm": 1, "cm": 10, "m": 1000, "km": 1_000_000, "in": 25.4, "ft": 304.8, "yd": 914.4, "mi": 1_609_344}
WEIGHT = {"mg": 0.001, "g": 1, "kg": 1000, "oz": 28.349523125, "lb": 453.59237}
TO_CELSIUS = {"C": lambda v: v, "F": lambda v: (v - 32) * 5 / 9, "K": lambda v: v - 273.15}
FROM_CELSIUS = {"C": lambda c: c, "F": lambda c: c * 9 / 5 + 32, "K": lambda c: c + 273.15}

CONVERTERS = {
    "length": {"title": "Length", "units": list(LENGTH)},
    "weight": {"title": "Weight", "units": list(WEIGHT)},
    "temperature": {"title": "Temperature", "units": list(TO_CELSIUS)},
}
NUMBER = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")


def convert(kind, value, unit_from, unit_to):
    if kind == "length":
        return value * LENGTH[unit_from] / LENGTH[unit_to]
    if kind == "weight":
        return value * WEIGHT[unit_from] / WEIGHT[unit_to]
    return FROM_CELSIUS[unit_to](TO_CELSIUS[unit_from](value))


@app.context_processor
def navigation():
    return {"converters": CONVERTERS}  # every page's menu links to the three converters


@app.get("/")
def index():
    return render_template("index.html")


@app.route("/<kind>", methods=["GET", "POST"])
def converter(kind):
    if kind not in CONVERTERS:
        abort(404)
    page = CONVERTERS[kind]
    if request.method == "GET":
        return render_template("converter.html", kind=kind, page=page, form={})

    form = request.form
    raw, unit_from, unit_to = form.get("value", ""), form.get("from", ""), form.get("to", "")
    error = None
    if not NUMBER.fullmatch(raw):
        error = f'"{raw}" is not a number.'
    else:
        for unit in (unit_from, unit_to):
            if unit not in page["units"]:
                error = f'"{unit}" is not a {kind} unit; use one of {", ".join(page["units"])}.'
                break
    if error:
        return render_template("converter.html", kind=kind, page=page, form=form, error=error), 400

    result = convert(kind, float(raw), unit_from, unit_to)
    return render_template("converter.html", kind=kind, page=page, form=form, result=f"{result:.4f} {unit_to}")


@app.errorhandler(404)
def not_found(_):
    return render_template("not_found.html"), 404


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")))
