// Filters the report by relation kind and by text. Plain DOM, no network, works from file://.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var text = document.getElementById("filter-text");
  var count = document.getElementById("filter-count");
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox]"));
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-kind]"));
  var groups = Array.prototype.slice.call(document.querySelectorAll(".doc-group"));
  // Read each item's text once: a report of a large corpus has tens of thousands of rows.
  var texts = items.map(function (item) { return item.textContent.toLowerCase(); });
  var timer = null;

  function apply() {
    var shown = {};
    boxes.forEach(function (box) { shown[box.value] = box.checked; });
    var words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    var visible = 0;
    items.forEach(function (item, i) {
      var haystack = texts[i];
      var show = shown[item.dataset.kind] !== false && words.every(function (w) {
        return haystack.indexOf(w) !== -1;
      });
      item.hidden = !show;
      if (show) { visible += 1; }
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector("[data-kind]:not([hidden])");
    });
    count.textContent = visible + " of " + items.length + " shown";
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(apply, 120);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
})();
