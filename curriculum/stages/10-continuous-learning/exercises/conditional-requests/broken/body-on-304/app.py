"""Reference solution for conditional-requests: a document store with ETags and preconditions,
on the standard library's http.server.

The rules come from RFC 9110 (HTTP Semantics): ETag 8.8.3, If-Match 13.1.1, If-None-Match 13.1.2,
the order of evaluation 13.2.2, 304 15.4.5 and 412 15.5.13; and from RFC 6585 section 3 (428).
"""

import hashlib
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DOC_PATH = re.compile(r"/docs/([A-Za-z0-9._-]{1,100})")
# entity-tag = [ weak ] opaque-tag; weak = "W/"; opaque-tag = DQUOTE *etagc DQUOTE (RFC 9110 8.8.3).
# findall skips whatever is not an entity-tag, so a malformed header simply matches nothing.
ENTITY_TAG = re.compile(r'(W/)?"([\x21\x23-\x7e\x80-\xff]*)"')
NO_BODY = (204,)  # BROKEN: a 304 is sent like a 200, with the document as its body
MESSAGES = {
    404: "no such document\n",
    412: "precondition failed: the document is not in the state your request expects\n",
    428: "this document exists: send If-Match with its ETag to change it\n",
}

docs = {}  # name -> (content bytes, ETag)
lock = threading.Lock()  # checking a precondition and writing must be one step


def etag_of(content):
    """A strong ETag derived from the bytes: the same content always gets the same tag."""
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def entity_tags(value):
    """The (is_weak, opaque_tag) pairs of an If-Match or If-None-Match list."""
    return [(bool(weak), f'"{opaque}"') for weak, opaque in ENTITY_TAG.findall(value)]


def if_match_passes(value, current):
    """13.1.1: true for * when a current representation exists, else by strong comparison."""
    if current is None:
        return False
    if value.strip() == "*":
        return True
    return any(not weak and tag == current for weak, tag in entity_tags(value))


def if_none_match_passes(value, current):
    """13.1.2: false for * when a representation exists, or when any tag matches by weak comparison."""
    if current is None:
        return True
    if value.strip() == "*":
        return False
    return all(tag != current for _, tag in entity_tags(value))


def failed_precondition(headers, method, current):
    """13.2.2: the status of the first precondition that fails (412 or 304), or None."""
    if_match = headers.get("If-Match")
    if if_match is not None and not if_match_passes(if_match, current):
        return 412
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None and not if_none_match_passes(if_none_match, current):
        return 304 if method in ("GET", "HEAD") else 412
    return None


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        name = self.doc_name()
        content, etag = docs.get(name, (None, None))
        if content is None:
            return self.answer(404)
        status = failed_precondition(self.headers, self.command, etag)
        if status == 412:
            return self.answer(412)
        self.answer(status or 200, content, etag)  # answer() leaves the content out of a 304

    do_HEAD = do_GET  # answer() leaves the body out for HEAD

    def do_PUT(self):
        name = self.doc_name()
        if name is None:
            return self.answer(404)
        content = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        new_etag = etag_of(content)
        with lock:
            _, etag = docs.get(name, (None, None))
            status = failed_precondition(self.headers, "PUT", etag)
            if status is None and etag is not None and "If-Match" not in self.headers:
                status = 428
            if status is None:
                docs[name] = (content, new_etag)
        if status is not None:
            return self.answer(status)
        self.answer(201 if etag is None else 200, etag=new_etag)

    def do_DELETE(self):
        name = self.doc_name()
        with lock:
            _, etag = docs.get(name, (None, None))
            if etag is None:
                status = 404  # 13.2.1: preconditions are ignored when the answer would not be 2xx
            else:
                status = failed_precondition(self.headers, "DELETE", etag)
                if status is None and "If-Match" not in self.headers:
                    status = 428
            if status is None:
                del docs[name]
        self.answer(status or 204)

    def doc_name(self):
        match = DOC_PATH.fullmatch(self.path)
        return match and match.group(1)

    def answer(self, status, body=None, etag=None):
        """Send the status, the ETag if any, and the body (a default message for errors)."""
        body = MESSAGES.get(status, "").encode() if body is None else body
        self.send_response(status)
        if etag is not None:
            self.send_header("ETag", etag)
        if status not in NO_BODY:
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status not in NO_BODY and self.command != "HEAD":
            self.wfile.write(body)


if __name__ == "__main__":
    server = ThreadingHTTPServer((os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "8000"))), Handler)
    print(f"listening on port {server.server_port}", flush=True)
    server.serve_forever()
