"""Unit tables: metres and grams per unit; temperatures through kelvin."""

UNITS = {
    "length": {
        "millimeter": 0.001,
        "centimeter": 0.01,
        "meter": 1,
        "kilometer": 1000,
        "inch": 0.0254,
        "feet": 0.3048,
        "yard": 0.9144,
        "mile": 1609.344,
    },
    "weight": {"milligram": 0.001, "gram": 1, "kilogram": 1000, "ounce": 28.349523125, "pound": 453.59237},
    "temperature": {"celsius": None, "fahrenheit": None, "kelvin": None},
}
SYMBOLS = {
    "millimeter": "mm",
    "centimeter": "cm",
    "meter": "m",
    "kilometer": "km",
    "inch": "in",
    "feet": "ft",
    "yard": "yd",
    "mile": "mi",
    "milligram": "mg",
    "gram": "g",
    "kilogram": "kg",
    "ounce": "oz",
    "pound": "lb",
    "celsius": "°C",
    "fahrenheit": "°F",
    "kelvin": "K",
}


def to_kelvin(value, unit):
    if unit == "celsius":
        return value + 273.15
    if unit == "fahrenheit":
        return (value - 32) * 5 / 9 + 273.15
    return value


def from_kelvin(value, unit):
    if unit == "celsius":
        return value - 273.15
    if unit == "fahrenheit":
        return (value - 273.15) * 9 / 5 + 32
    return value


def convert(kind, value, unit, new_unit):
    if kind == "temperature":
        return from_kelvin(to_kelvin(value, unit), new_unit)
    table = UNITS[kind]
    return value * table[unit] / table[new_unit]
