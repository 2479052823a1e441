// The board's selection: "select all on this page" (shown only when this script runs), and the bulk
// form's return address kept in step with the filters htmx puts in the address bar.
(function () {
  "use strict";

  function caseBoxes() {
    return Array.prototype.slice.call(document.querySelectorAll('input[name="case"][form="bulk"]'));
  }

  function showSelectAll() {
    document.querySelectorAll("[data-select-all-label]").forEach(function (label) { label.hidden = false; });
  }

  function keepFilters() {
    var back = document.querySelector("[data-board-back]");
    if (back) { back.value = window.location.search.replace(/^\?/, ""); }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-select-all]")) {
      caseBoxes().forEach(function (box) { box.checked = target.checked; });
    } else if (target.matches('input[name="case"]')) {
      var all = document.querySelector("[data-select-all]");
      var boxes = caseBoxes();
      if (all) { all.checked = boxes.length > 0 && boxes.every(function (box) { return box.checked; }); }
    }
  });
  document.addEventListener("DOMContentLoaded", showSelectAll);
  document.addEventListener("htmx:afterSettle", function () { showSelectAll(); keepFilters(); });
  document.addEventListener("htmx:pushedIntoHistory", keepFilters);
})();
