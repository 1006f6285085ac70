import os

from flask import Flask, render_template, request

app = Flask(__name__)

# metres and grams per unit
LENGTHS = {
    "millimetre": 0.001,
    "centimetre": 0.01,
    "metre": 1.0,
    "kilometre": 1000.0,
    "inch": 0.0254,
    "foot": 0.3048,
    "yard": 0.9144,
    "mile": 1609.344,
}
WEIGHTS = {"milligram": 0.001, "gram": 1.0, "kilogram": 1000.0, "ounce": 28.349523125, "pound": 453.59237}
TEMPERATURES = ["celsius", "fahrenheit", "kelvin"]


def to_celsius(value, unit):
    if unit == "fahrenheit":
        return (value - 32) * 5 / 9
    if unit == "kelvin":
        return value - 273.15
    return value


def from_celsius(value, unit):
    if unit == "fahrenheit":
        return value * 9 / 5 + 32
    if unit == "kelvin":
        return value + 273.15
    return value


def page(heading, units, convert):
    amount = request.args.get("amount")
    unit_from = request.args.get("unit_from", units[0])
    unit_to = request.args.get("unit_to", units[1])
    result = message = None
    if amount is not None:
        try:
            number = float(amount)
        except ValueError:
            message = f"Please enter a number: {amount!r} is not one."
        else:
            result = f"{convert(number, unit_from, unit_to):.2f}"
    return render_template(
        "form.html",
        heading=heading,
        units=units,
        amount=amount or "",
        unit_from=unit_from,
        unit_to=unit_to,
        result=result,
        message=message,
    )


@app.route("/")
def index():
    return render_template("index.html")


@app.route("/length")
def length():
    return page("Length converter", list(LENGTHS), lambda v, a, b: v * LENGTHS[a] / LENGTHS[b])


@app.route("/weight")
def weight():
    return page("Weight converter", list(WEIGHTS), lambda v, a, b: v * WEIGHTS[a] / WEIGHTS[b])


@app.route("/temperature")
def temperature():
    return page("Temperature converter", TEMPERATURES, lambda v, a, b: from_celsius(to_celsius(v, a), b))


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 5000)))
