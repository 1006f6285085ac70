// A claim's countdown on the review page: "23 min left", kept current; "expired" when the time is up.
(function () {
  "use strict";
  function tick() {
    document.querySelectorAll("[data-countdown]").forEach(function (element) {
      var left = Math.floor((Date.parse(element.getAttribute("data-countdown")) - Date.now()) / 60000);
      element.textContent = left >= 0 ? left + " min left" : "expired: claim it again to go on";
    });
  }
  tick();
  window.setInterval(tick, 15000);
})();
