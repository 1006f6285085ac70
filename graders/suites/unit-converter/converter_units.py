"""Units and numbers: the units a person may name, converting between them, and the numbers shown in a page."""

from __future__ import annotations

import re

from converter_html import Option

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
