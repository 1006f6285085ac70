"""Plain words for randomised test data: lower-case ASCII, none inside another, safe in any URL or name."""

from __future__ import annotations

WORDS = (
    "amber",
    "falcon",
    "river",
    "copper",
    "meadow",
    "quartz",
    "lantern",
    "orbit",
    "willow",
    "harbor",
    "cinder",
    "maple",
    "thistle",
    "pebble",
    "juniper",
    "sparrow",
)
