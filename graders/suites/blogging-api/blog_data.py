"""The blogging-api suite's shared fields and spec quotes, and its random posts, words and ids."""

import re
import string

from stagecraft_grader import WORDS

CATEGORIES = ["Technology", "Travel", "Cooking", "Science", "Music", "Gardening"]
TEXT_FIELDS = ("title", "content", "category")
FIELDS = (*TEXT_FIELDS, "tags")

SPEC_CREATE = (
    "Create a new blog post using the POST method: POST /posts with title, content, category and "
    "tags. The endpoint should return a 201 Created status code with the newly created blog post "
    "(its id, the fields sent, createdAt and updatedAt)."
)
SPEC_VALIDATE = (
    "The endpoint should validate the request body and return ... a 400 Bad Request status code "
    "with error messages in case of validation errors."
)
SPEC_NOT_FOUND = "It should return a 404 Not Found status code if the blog post was not found."


# --- random data ------------------------------------------------------------------------------


def _token(rng):
    """A word no other test (and no hard-coded answer) will contain, e.g. "quartz48213"."""
    return f"{rng.choice(WORDS)}{rng.randint(10000, 99999)}"


def _post_body(rng, **overrides):
    """A valid post, short enough for the length limits real apps set (title <= 50, category <= 20)."""
    body = {
        "title": f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {rng.randint(1000, 99999)}",
        "content": " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))) + ".",
        "category": rng.choice(CATEGORIES),
        "tags": rng.sample(WORDS, rng.randint(1, 3)),
    }
    body.update(overrides)
    return body


def _unknown_id(rng, sample=None):
    """An id no post has, shaped like the ids the app hands out (a number, an ObjectId, a UUID...).

    A careful tester asks for /posts/1000000 of an app with numeric ids, and for a well-formed
    ObjectId of a MongoDB app, which would otherwise answer a malformed id with an error.
    """
    text = "" if sample is None else str(sample)
    if sample is None or isinstance(sample, int) or text.isdigit():
        return rng.randint(10**6, 10**9)
    if re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text, re.I):
        hexes = "".join(rng.choice("0123456789abcdef") for _ in range(32))
        new = f"{hexes[:8]}-{hexes[8:12]}-4{hexes[13:16]}-a{hexes[17:20]}-{hexes[20:]}"
        return new.upper() if text.isupper() else new
    if re.fullmatch(r"[0-9a-fA-F]+", text):
        return "".join(rng.choice("0123456789abcdef") for _ in text)
    alphabet = string.ascii_letters + string.digits
    return "".join(rng.choice(alphabet) for _ in text)
