"""Reading the project's own code as a person about to try it would: where its clients connect, and
the frames its own client sends (a sign-in before chatting, the shape of a message).

The public spec leaves the wire format open, and some servers add a sign-in (register, log in,
join with a name) before they relay anything, as the spec's suggested extensions invite. A person
tries such a server with the project's client; the grader reads that client instead: flat object
literals with a `type` field, as in `ws.send(JSON.stringify({ type: "register", username, password }))`
or `ws.send(json.dumps({"type": "chat", "text": line}))`.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path

NOT_WEBSOCKET = {"/health", "/healthz", "/favicon.ico", "/api", "/index.html"}
SKIPPED_DIRS = {"node_modules", ".git", ".venv", "venv", "env", "__pycache__", "site-packages", ".cache"}
SOURCE_SUFFIXES = {".js", ".mjs", ".cjs", ".ts", ".py", ".md", ".txt", ".json", ".html"}
CODE_SUFFIXES = {".js", ".mjs", ".cjs", ".ts", ".py", ".html"}
MAX_FILES = 400

# Kinds of frames, by their `type`: one that signs a client in (fresh accounts first), one that carries a message.
SIGN_IN_TYPES = (
    ("register", "signup", "sign_up", "sign-up", "create_user"),
    ("join", "hello", "identify", "set_name", "setname", "set_username", "nick", "name", "username"),
    ("login", "log_in", "auth", "authenticate"),
)
MESSAGE_TYPES = ("message", "broadcast", "chat", "chat_message", "text", "msg", "send", "send_message")
TEXT_KEYS = ("content", "text", "message", "msg", "body", "data", "payload")
TYPE_VALUE = re.compile(r"""(?:^|[{,\s])['"]?type['"]?\s*:\s*['"]([\w-]+)['"]""")


def sources(suffixes=SOURCE_SUFFIXES):
    """(path, text) of the project's own files (dependencies and caches skipped), at most 400."""
    root = Path(os.environ.get("APP_CODE_DIR", "/appcode"))
    read = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for file_name in sorted(files):
            path = Path(folder, file_name)
            if path.suffix not in suffixes or read >= MAX_FILES:
                continue
            read += 1
            try:
                yield path, path.read_bytes()[:200_000].decode("utf-8", "replace")
            except OSError:
                continue


def code_paths():
    """WebSocket paths named in the project's code: `ws://host:port/path` URLs (its client) and
    `path: "/ws"` options or `path == "/ws"` checks (its server), most named first."""
    counts = {}
    for _, source in sources():
        found = re.findall(r"wss?://[^/\s'\"`<>]*(/[A-Za-z0-9_\-./~]*)", source)
        found += re.findall(r"\b(?:path|pathname|url)\s*(?::|==|===|!=|!==)\s*['\"](/[A-Za-z0-9_\-./~]*)['\"]", source)
        for candidate in found:
            candidate = candidate.rstrip("/.") or "/"
            if candidate not in NOT_WEBSOCKET and "." not in candidate:
                counts[candidate] = counts.get(candidate, 0) + 1
    return sorted(counts, key=lambda p: -counts[p])[:5]


@dataclass(frozen=True)
class Frame:
    """A JSON frame the project's client sends: its `type` and its other keys, in order."""

    type: str
    keys: tuple[str, ...]


def _enclosing_object(source, at):
    """The flat `{...}` literal around position `at` (no braces nested inside), or None."""
    start = source.rfind("{", 0, at)
    end = source.find("}", at)
    if start < 0 or end < 0 or end - start > 600 or "}" in source[start:at] or "{" in source[at:end]:
        return None
    return source[start + 1 : end]


def _keys(literal):
    keys = []
    for entry in literal.split(","):
        m = re.match(r"""\s*['"]?([A-Za-z_$][\w$]*)['"]?\s*(?::|$)""", entry)
        if m and not entry.strip().startswith("..."):
            keys.append(m.group(1))
    return tuple(dict.fromkeys(keys))


def client_frames():
    """Every distinct flat JSON frame with a `type` that the project's code writes."""
    frames = []
    for _, source in sources(CODE_SUFFIXES):
        for m in TYPE_VALUE.finditer(source):
            literal = _enclosing_object(source, m.start(1))
            if literal is None:
                continue
            frame = Frame(m.group(1), tuple(k for k in _keys(literal) if k != "type"))
            if frame not in frames:
                frames.append(frame)
    return frames


@dataclass(frozen=True)
class Protocol:
    """The project's own way in: the frame that signs a client in (or None), and the message frame."""

    sign_in: Frame | None
    message: Frame
    text_key: str

    def sign_in_values(self, name, secret):
        """The sign-in frame's fields filled in for the client `name`."""
        values = {"type": self.sign_in.type}
        for key in self.sign_in.keys:
            low = key.lower()
            if "pass" in low or "secret" in low or "pwd" in low:
                values[key] = secret
            elif "mail" in low:
                values[key] = f"{name}@example.com"
            elif "room" in low or "channel" in low:
                values[key] = "general"
            else:
                values[key] = name
        return values

    def message_values(self, text):
        return {"type": self.message.type, self.text_key: text}

    def described(self):
        keys = f', "{self.text_key}": ...'
        said = f'as JSON {{"type": "{self.message.type}"{keys}}} (the frame the project\'s own client sends)'
        if self.sign_in is None:
            return said
        fields = "".join(f', "{k}": ...' for k in self.sign_in.keys)
        return f'{said}, after each client sent {{"type": "{self.sign_in.type}"{fields}}} as its client does'


def protocols():
    """The ways in the project's own client suggests, most likely first (at most three)."""
    frames = client_frames()
    messages = []
    for wanted in MESSAGE_TYPES:
        for frame in frames:
            if frame.type.lower() == wanted:
                key = next((k for k in TEXT_KEYS if k in frame.keys), frame.keys[0] if frame.keys else None)
                if key is not None:
                    messages.append((frame, key))
    if not messages:
        return []
    sign_ins = [f for kinds in SIGN_IN_TYPES for wanted in kinds for f in frames if f.type.lower() == wanted]
    message, key = messages[0]
    found = [Protocol(sign_in, message, key) for sign_in in sign_ins[:2]]
    return found + [Protocol(None, message, key)]
