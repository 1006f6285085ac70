"""The unit converter's grader reading forms that a page's script builds and sends (converter_script.py).

Pure functions over script text: each case is a way learners write such a page, and the request the
grader derives must be the one a browser running the script would send.
"""

import json
import sys
from pathlib import Path

import pytest

SUITE = Path(__file__).resolve().parents[2] / "graders" / "suites" / "unit-converter"
sys.path.insert(0, str(SUITE))

from converter_script import request, script_forms, sender_for, senders  # noqa: E402

sys.path.remove(str(SUITE))

TABBED = """
const templates = {
  length: `
    <form class="conv" data-kind="length">
      <input type="number" name="amount" step="any">
      <select name="src">${units.length.map(u => `<option value="${u}">${u}</option>`).join("")}</select>
      <select name="dst"><option value="m">metre</option><option value="km">kilometre</option></select>
      <button>Go</button>
    </form>`,
};
function show(kind) { document.querySelector("#slot").innerHTML = templates[kind]; }
document.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const kind = form.dataset.kind;
  const amount = Number(form.amount.value);
  const payload = {
    kind,
    amount,
    from: form.src.value,
    to: form.dst.value,
  };
  const answer = await fetch("/api/convert", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload),
  });
  const options = {
    method: "PUT",
    body: payload,
  };
  await fetch("/api/history", options);
  document.querySelector("#out").textContent = (await answer.json()).result;
});
"""


def test_forms_in_template_literals_with_holes_are_read():
    forms = script_forms(TABBED)
    assert len(forms) == 1
    form = forms[0]
    assert form.attrs["data-kind"] == "length"
    assert [f.name for f in form.fields if f.name] == ["amount", "src", "dst"]
    assert [o.value for o in form.fields[2].options] == ["m", "km"]


def test_json_body_keys_follow_variables_back_to_fields_and_data_attributes():
    form = script_forms(TABBED)[0]
    sender = sender_for(TABBED, form)
    method, path, body, headers = request(sender, form, [("amount", "12.5"), ("src", "km"), ("dst", "m")])
    assert (method, path, headers["Content-Type"]) == ("POST", "/api/convert", "application/json")
    assert json.loads(body) == {"kind": "length", "amount": 12.5, "from": "km", "to": "m"}


def test_a_value_that_is_no_number_goes_as_typed_so_the_server_must_check_it():
    form = script_forms(TABBED)[0]
    sender = sender_for(TABBED, form)
    _, _, body, _ = request(sender, form, [("amount", "ten"), ("src", "km"), ("dst", "m")])
    assert json.loads(body)["amount"] == "ten"


def test_string_concatenated_markup_and_form_data_body():
    source = """
    const html = '<form id="weight">' +
      '<input name="qty"><select name="unit_from"><option>g</option><option>kg</option></select>' +
      '<select name="unit_to"><option>g</option><option>kg</option></select>' +
      '</form>';
    el.innerHTML = html;
    el.querySelector("form").onsubmit = (e) => {
      e.preventDefault();
      fetch('/convert/weight', { method: 'post', body: new URLSearchParams(new FormData(e.target)) });
    };
    """
    forms = script_forms(source)
    assert [f.name for f in forms[0].fields if f.name] == ["qty", "unit_from", "unit_to"]
    sender = sender_for(source, forms[0])
    method, path, body, headers = request(sender, forms[0], [("qty", "3"), ("unit_from", "kg"), ("unit_to", "g")])
    assert (method, path) == ("POST", "/convert/weight")
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert body == b"qty=3&unit_from=kg&unit_to=g"


def test_a_query_string_built_in_the_url_is_filled_from_elements_by_id():
    source = """
    const markup = `<form><input id="val"><select id="from">
      <option value="C">Celsius</option><option value="F">Fahrenheit</option></select>
      <select id="to"><option value="C">Celsius</option><option value="F">Fahrenheit</option></select></form>`;
    async function convert() {
      const v = document.getElementById("val").value;
      const f = document.getElementById("from").value;
      const t = document.getElementById("to").value;
      const r = await fetch(`/temperature?value=${v}&from=${f}&to=${t}`);
    }
    """
    form = script_forms(source)[0]
    for f in form.fields:  # fields named by id only: the page's script reads them by id
        f.name = f.ident
    sender = sender_for(source, form)
    method, path, body, _ = request(sender, form, [("val", "100"), ("from", "C"), ("to", "F")])
    assert (method, path, body) == ("GET", "/temperature?value=100&from=C&to=F", None)


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("axios.post('/convert', { value: v, from: a, to: b })", ("post", "json", ["value", "from", "to"])),
        ("$.post('/convert', $(form).serialize())", ("post", "form", [])),
        ("fetch('https://api.example.com/convert', { method: 'POST' })", None),
        (
            "fetch('http://localhost:3000/convert', { method: 'PUT', body: JSON.stringify({ x }) })",
            ("put", "json", ["x"]),
        ),
        ("fetch(`${API}/convert`, { method: 'POST', body: new FormData(form) })", ("post", "multipart", [])),
    ],
)
def test_requests_to_the_app_are_found_and_others_ignored(call, expected):
    found = senders(call)
    if expected is None:
        assert found == []
        return
    (sender,) = found
    assert sender.url == "/convert"
    assert (sender.method, sender.encoding, [k for k, _ in sender.keys]) == expected


def test_requests_that_do_not_carry_the_form_are_not_taken_for_its_sending():
    source = """
    const markup = '<form><input name="n"><select name="a"><option>g</option></select></form>';
    fetch('/api/units').then(r => r.json());
    fetch('/api/log', { method: 'POST', body: JSON.stringify({ visited: location.pathname }) });
    """
    form = script_forms(source)[0]
    assert len(senders(source)) == 2
    assert sender_for(source, form) is None
