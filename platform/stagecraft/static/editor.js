// The in-browser editor: files on the left, Ace on the right; drafts saved on the server as you type;
// "Submit" sends the files through the same intake as an upload. Runs under the app's strict CSP:
// Ace is vendored and told to inject no styles (its CSS is linked by the page).
(function () {
  "use strict";
  var app = document.getElementById("editor-app");
  if (!app || !window.ace) return;
  var data = JSON.parse(document.getElementById("editor-data").textContent);
  var files = data.files;
  var slug = app.getAttribute("data-slug");
  var current = Object.keys(files)[0] || "stagecraft.toml";
  if (!(current in files)) files[current] = "";
  var dirty = false, timer = null;
  var modes = { py: "python", js: "javascript", mjs: "javascript", cjs: "javascript", ts: "typescript",
    json: "json", toml: "toml", md: "markdown", ini: "ini", cfg: "ini", sh: "sh", txt: "text" };

  ace.config.set("useStrictCSP", true);
  ace.config.set("basePath", "/static/vendor/ace-1.36.5");
  var editor = ace.edit("code", { theme: "ace/theme/textmate", useWorker: false, fontSize: 14,
    showPrintMargin: false, readOnly: !!data.readOnly, tabSize: 4, useSoftTabs: true });
  var sessions = {};

  function csrf() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function modeFor(path) {
    var ext = path.split(".").pop().toLowerCase();
    return "ace/mode/" + (modes[ext] || "text");
  }
  function session(path) {
    if (!sessions[path]) {
      sessions[path] = ace.createEditSession(files[path], modeFor(path));
      sessions[path].on("change", function () {
        files[path] = sessions[path].getValue();
        changed();
      });
    }
    return sessions[path];
  }
  function show(path) {
    current = path;
    editor.setSession(session(path));
    document.getElementById("current-file").textContent = path;
    list();
  }
  function list() {
    var ul = document.getElementById("file-list");
    ul.textContent = "";
    Object.keys(files).sort().forEach(function (path) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = path;
      if (path === current) button.setAttribute("aria-current", "true");
      button.addEventListener("click", function () { show(path); });
      li.appendChild(button);
      ul.appendChild(li);
    });
  }
  function say(text) { document.getElementById("save-state").textContent = text; }
  function fail(text) { document.getElementById("editor-error").textContent = text; }
  function send(url) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ files: files }),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) throw new Error(body.detail || ("HTTP " + response.status));
        return body;
      });
    });
  }
  function save() {
    if (data.readOnly) return Promise.resolve();
    dirty = false;
    say("Saving…");
    return send("/exercises/" + slug + "/draft").then(function () {
      say("Draft saved");
      fail("");
    }, function (error) {
      dirty = true;
      say("Not saved");
      fail(error.message);
    });
  }
  function changed() {
    if (data.readOnly) return;
    dirty = true;
    say("Unsaved changes");
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 2000);
  }

  document.getElementById("save").addEventListener("click", save);
  document.getElementById("submit").addEventListener("click", function () {
    if (data.readOnly) return;
    fail("");
    say("Submitting…");
    send("/exercises/" + slug + "/editor/submit").then(function (body) {
      window.location.assign(body.url);
    }, function (error) { say(""); fail(error.message); });
  });
  document.getElementById("new-file").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = document.getElementById("new-file-name");
    var name = input.value.trim();
    if (!name || name in files || data.readOnly) return;
    files[name] = "";
    input.value = "";
    show(name);
    changed();
  });
  document.getElementById("rename-file").addEventListener("click", function () {
    var name = window.prompt("New name for " + current, current);
    if (!name || name === current || name in files || data.readOnly) return;
    files[name] = files[current];
    delete files[current];
    delete sessions[current];
    show(name);
    changed();
  });
  document.getElementById("delete-file").addEventListener("click", function () {
    if (data.readOnly || Object.keys(files).length < 2 || !window.confirm("Delete " + current + "?")) return;
    delete files[current];
    delete sessions[current];
    show(Object.keys(files).sort()[0]);
    changed();
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  if (data.readOnly) {
    ["save", "submit"].forEach(function (id) { document.getElementById(id).disabled = true; });
  }
  show(current);
})();
