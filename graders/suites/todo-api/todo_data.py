"""Random data for the todo-api suite: users, todos, missing ids and tampered tokens."""

from stagecraft_grader import WORDS

NAMES = [
    "Ada Lovelace",
    "Alan Turing",
    "Grace Hopper",
    "Edsger Dijkstra",
    "Barbara Liskov",
    "Donald Knuth",
    "Margaret Hamilton",
    "Ken Thompson",
]


# --- random data ------------------------------------------------------------------------------


def _user(rng, tag):
    """Registration fields; the e-mail holds `tag` (the test's name) so no two tests share one."""
    word = rng.choice(WORDS)
    return {
        "name": rng.choice(NAMES),
        "email": f"{word}.{tag}.{rng.randint(10**6, 10**9)}@example.com",
        "password": f"{rng.choice(WORDS)}-{rng.randint(10**8, 10**9)}-{rng.choice(WORDS).upper()}",
    }


def _todo_body(rng):
    return {
        "title": f"{rng.choice(['Buy', 'Fix', 'Write', 'Call', 'Clean', 'Plan'])} "
        f"{rng.choice(WORDS)} {rng.randint(1, 9999)}",
        "description": " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8))) + ".",
    }


def _missing_id(rng):
    return rng.randint(10**6, 10**9)


def _tampered(token):
    """The token with one character in its middle changed: no longer valid, opaque or JWT."""
    i = len(token) // 2
    while token[i] == ".":  # a JWT's dots: change a character of the payload instead
        i += 1
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
