/* The claim list's "all claims on this page" box ticks and unticks every claim's box.
 *
 * Without this script the form still works: the server reads the ticked
 * "all" box as every claim listed on the page (factcheck/claims/bulk_forms.py).
 */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var all = document.getElementById("bulk-all");
    if (!all) { return; }
    var boxes = Array.prototype.slice.call(document.querySelectorAll("input.bulk-claim"));
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        all.checked = boxes.every(function (other) { return other.checked; });
      });
    });
  });
})();
