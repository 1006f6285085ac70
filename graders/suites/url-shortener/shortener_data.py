"""Random URLs and short codes for the url-shortener suite, and the spec's constants its tests check."""

import re

from stagecraft_grader import WORDS

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
CODE_RE = re.compile(r"[A-Za-z0-9]{6}")
HOSTS = ["example.com", "docs.example.org", "blog.example.net", "shop.example.io", "news.example.dev"]
SPEC_FIELDS = ("id", "url", "shortCode", "createdAt", "updatedAt")

CREATE_RULE = (
    "POST /shorten with {url} returns a 201 Created status code with the newly created short URL: "
    "id, url, shortCode, createdAt, updatedAt."
)
VALIDATION_RULE = (
    "The endpoint should validate the request body and return a 400 Bad Request status code with error "
    "messages in case of validation errors."
)


def _random_url(rng):
    return (
        f"https://{rng.choice(HOSTS)}/{rng.choice(WORDS)}/{rng.choice(WORDS)}-{rng.randint(1000, 99999)}"
        f"?ref={rng.choice(WORDS)}{rng.randint(10, 99)}"
    )


def _random_code(rng):
    return "".join(rng.choice(ALPHABET) for _ in range(6))
