"""Random data for the secure-sessions suite: users, note texts and made-up tokens."""

from stagecraft_grader import WORDS

# --- random data ------------------------------------------------------------------------------


def _user(rng, tag):
    """Registration fields; the username holds `tag` (short, per test) so no two tests share one."""
    return {
        "username": f"{rng.choice(WORDS)}_{tag}_{rng.randint(10**6, 10**7 - 1)}",
        "password": f"{rng.choice(WORDS)}-{rng.randint(10**8, 10**9)}-{rng.choice(WORDS).upper()}",
    }


def _note_text(rng):
    return f"{rng.choice(['Buy', 'Fix', 'Call', 'Read', 'Plan'])} {rng.choice(WORDS)} {rng.randint(1, 99999)}"


def _fake_token(rng, length=43):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return "".join(rng.choice(alphabet) for _ in range(length))
