// The curriculum preview: reload the page when a file of the curriculum or of a grader changes,
// and every two seconds while a preview grading is still running.
(function () {
  "use strict";
  // The version this page was made from: a change after that, even before the first poll, reloads it.
  var meta = document.querySelector("meta[name=preview-version]");
  var first = meta ? Number(meta.getAttribute("content")) : null;
  function poll() {
    fetch("/preview/version", { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (first === null) {
          first = data.version;
        } else if (data.version !== first) {
          window.location.reload();
        }
      })
      .catch(function () { /* the preview server restarting: try again */ })
      .finally(function () { window.setTimeout(poll, 1000); });
  }
  poll();
  if (document.querySelector("[data-grading=running]")) {
    window.setTimeout(function () { window.location.reload(); }, 2000);
  }
})();
