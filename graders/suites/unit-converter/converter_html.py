"""Reading HTML as a person does: the links, forms, fields, options and visible text of one page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# --- reading HTML -----------------------------------------------------------------------------


@dataclass
class Option:
    value: str  # what a browser sends
    label: str  # what a person reads
    selected: bool = False
    disabled: bool = False


@dataclass
class Field:
    kind: str  # "text" (typed into), "select", "radio", "checkbox", "hidden", "submit", "other"
    name: str
    value: str = ""
    options: list[Option] = field(default_factory=list)
    checked: bool = False
    disabled: bool = False
    readonly: bool = False
    ident: str = ""  # id attribute
    hint: str = ""  # placeholder, id and name, to tell the value field from others
    list_id: str = ""  # a text input's datalist


@dataclass
class Form:
    method: str
    action: str
    enctype: str
    fields: list[Field] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)  # every attribute of the <form> tag (data-*, id...)
    sender: object = None  # how a script sends it instead of the browser (converter_script.Sender)


TEXT_TYPES = {"", "text", "number", "search", "tel", "decimal", "range"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HIDDEN_TEXT = {"script", "style", "template", "title"}


class Document(HTMLParser):
    """The parts of one HTML page a person uses: links, forms and their fields, and the visible text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.loose: list[Field] = []  # fields outside any <form> (a page driven by JavaScript)
        self.datalists: dict[str, list[Option]] = {}
        self.texts: list[str] = []  # visible text, one piece per run of text or input value
        self.scripts: list[str] = []  # the text of each <script> element (live markup)
        self.script_srcs: list[str] = []
        self.meta_charset = ""
        self._form: Form | None = None
        self._select: Field | None = None
        self._datalist: list[Option] | None = None
        self._option: Option | None = None
        self._option_has_value = False
        self._option_label_given = False
        self._hidden_depth = 0
        self._script: list[str] | None = None
        self._labels: list[dict] = []  # open <label>s: {"for": id, "text": [...], "radios": [...]}
        self._label_for: dict[str, str] = {}
        self._radios: list[tuple[Field, Option, list[str] | None]] = []
        self._textarea: Field | None = None
        try:
            self.feed(html)
            self.close()
        except Exception:  # noqa: BLE001 - a page too broken to parse is read as far as it went
            pass
        self._finish()

    # fields -----------------------------------------------------------------------------------

    def _add(self, f: Field) -> None:
        (self._form.fields if self._form is not None else self.loose).append(f)

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v if v is not None else "") for k, v in attrs if k}
        if tag in HIDDEN_TEXT:
            self._hidden_depth += 1
        if tag == "script":
            self._script = []
            if a.get("src"):
                self.script_srcs.append(a["src"])
        if tag == "meta":
            charset = a.get("charset", "")
            if not charset and a.get("http-equiv", "").lower() == "content-type":
                found = re.search(r"charset=([\w-]+)", a.get("content", ""), re.I)
                charset = found.group(1) if found else ""
            if charset:
                self.meta_charset = charset.lower()
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(
                method=(a.get("method") or "get").strip().lower(),
                action=a.get("action", "").strip(),
                enctype=(a.get("enctype") or "").strip().lower(),
                attrs=a,
            )
            self.forms.append(self._form)
        elif tag == "label":
            self._labels.append({"for": a.get("for", ""), "text": [], "radios": []})
        elif tag == "input":
            self._input(a)
        elif tag == "button":
            kind = "submit" if (a.get("type") or "submit").lower() == "submit" else "other"
            self._add(Field(kind, a.get("name", ""), a.get("value", ""), disabled="disabled" in a))
        elif tag == "textarea":
            self._textarea = Field(
                "text",
                a.get("name", ""),
                disabled="disabled" in a,
                readonly="readonly" in a,
                ident=a.get("id", ""),
                hint=" ".join([a.get("name", ""), a.get("id", ""), a.get("placeholder", "")]),
            )
            self._add(self._textarea)
        elif tag == "select":
            self._select = Field(
                "select",
                a.get("name", ""),
                disabled="disabled" in a,
                ident=a.get("id", ""),
                hint=" ".join([a.get("name", ""), a.get("id", "")]),
            )
            self._add(self._select)
        elif tag == "datalist":
            self._datalist = self.datalists.setdefault(a.get("id", ""), [])
        elif tag == "option" and (self._select is not None or self._datalist is not None):
            self._close_option()
            self._option = Option(a.get("value", ""), a.get("label", ""), "selected" in a, "disabled" in a)
            self._option_has_value = "value" in a
            self._option_label_given = "label" in a

    def _input(self, a: dict) -> None:
        kind_attr = (a.get("type") or "").strip().lower()
        name, value = a.get("name", ""), a.get("value", "")
        common = {
            "disabled": "disabled" in a,
            "readonly": "readonly" in a,
            "ident": a.get("id", ""),
            "hint": " ".join([name, a.get("id", ""), a.get("placeholder", "")]),
        }
        if kind_attr in TEXT_TYPES:
            f = Field("text", name, value, list_id=a.get("list", ""), **common)
        elif kind_attr == "hidden":
            f = Field("hidden", name, value, **common)
        elif kind_attr in ("submit", "image"):
            f = Field("submit", name, value, **common)
        elif kind_attr == "radio":
            f = Field("radio", name, value, checked="checked" in a, **common)
        elif kind_attr == "checkbox":
            f = Field("checkbox", name, value or "on", checked="checked" in a, **common)
        else:
            f = Field("other", name, value, **common)
        if kind_attr not in ("hidden", "password") and value and self._hidden_depth == 0:
            self.texts.append(value)  # a result shown in a (read-only) input is read by a person too
        if f.kind == "radio":
            label_text = self._labels[-1]["text"] if self._labels else None
            option = Option(value or "on", "", f.checked, f.disabled)
            self._radios.append((f, option, label_text))
            if self._labels:
                self._labels[-1]["radios"].append(option)
        self._add(f)

    def _close_option(self) -> None:
        if self._option is None:
            return
        option = self._option
        option.label = " ".join(option.label.split())
        if not self._option_has_value:
            option.value = option.label  # a browser sends the text of an option with no value
        if self._datalist is not None and self._select is None:
            if not option.label:
                option.label = option.value
            self._datalist.append(option)
        elif self._select is not None:
            self._select.options.append(option)
        self._option = None

    def handle_endtag(self, tag):
        if tag in HIDDEN_TEXT and self._hidden_depth:
            self._hidden_depth -= 1
        if tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None
        if tag in ("option", "select", "datalist"):
            self._close_option()
        if tag == "select":
            self._select = None
        elif tag == "datalist":
            self._datalist = None
        elif tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "label" and self._labels:
            label = self._labels.pop()
            text = " ".join("".join(label["text"]).split())
            for option in label["radios"]:
                option.label = option.label or text
            if label["for"]:
                self._label_for[label["for"]] = text

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)
        if self._option is not None:
            if not self._option_label_given:
                self._option.label += data
        if self._textarea is not None:
            self._textarea.value += data
        for label in self._labels:
            label["text"].append(data)
        if self._hidden_depth == 0:
            text = " ".join(data.split())
            if text:
                self.texts.append(text)

    def _finish(self) -> None:
        self._close_option()
        for f, option, _ in self._radios:
            if not option.label and f.ident in self._label_for:
                option.label = self._label_for[f.ident]
        # A group of radio buttons with one name is one choice, as a <select> is.
        for form_fields in [form.fields for form in self.forms] + [self.loose]:
            merged: list[Field] = []
            groups: dict[str, Field] = {}
            radio_options = {id(f): o for f, o, _ in self._radios}
            for f in form_fields:
                if f.kind != "radio":
                    merged.append(f)
                    continue
                group = groups.get(f.name)
                if group is None:
                    group = groups[f.name] = Field("radio", f.name, hint=f.name)
                    merged.append(group)
                option = radio_options.get(id(f), Option(f.value, ""))
                group.options.append(option)
            form_fields[:] = merged
        for form_fields in [form.fields for form in self.forms] + [self.loose]:
            for f in form_fields:
                if f.kind == "text" and f.list_id and f.list_id in self.datalists:
                    f.options = list(self.datalists[f.list_id])

    @property
    def text(self) -> str:
        return " \n".join(self.texts)


def live_script_with(doc: Document, marker: str) -> bool:
    """Whether the page holds a <script> element (live markup, not text) whose code contains `marker`."""
    return any(marker in script for script in doc.scripts)
