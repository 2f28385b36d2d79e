// Filters and sorts the report: by relation kind, status, unit, document and text; by score or
// date. Plain DOM, no network, works from file://. Each card or row carries what it is matched
// on in data-* attributes written by the report.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var text = document.getElementById("filter-text");
  var count = document.getElementById("filter-count");
  var sort = document.getElementById("sort");
  var selects = {
    status: document.getElementById("filter-status"),
    unit: document.getElementById("filter-unit"),
    doc: document.getElementById("filter-doc")
  };
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox]"));
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-kind]"));
  var groups = Array.prototype.slice.call(document.querySelectorAll(".doc-group"));
  // Read each item once: a report of a large corpus has tens of thousands of rows.
  var facts = items.map(function (item, i) {
    var d = item.dataset;
    item.reportIndex = i;
    return {
      text: item.textContent.toLowerCase(),
      status: (d.status || "").split(" "),
      unit: (d.unit || "").split("\n"),
      doc: (d.doc || "").split("\n"),
      score: parseFloat(d.score || "0"),
      date: d.date || "",
      order: i
    };
  });
  var timer = null;

  function matches(wanted, values) {
    return !wanted || values.indexOf(wanted) !== -1;
  }

  function apply() {
    var shown = {};
    boxes.forEach(function (box) { shown[box.value] = box.checked; });
    var words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    var visible = 0;
    items.forEach(function (item, i) {
      var f = facts[i];
      var show = shown[item.dataset.kind] !== false &&
        matches(selects.status.value, f.status) &&
        matches(selects.unit.value, f.unit) &&
        matches(selects.doc.value, f.doc) &&
        words.every(function (w) { return f.text.indexOf(w) !== -1; });
      item.hidden = !show;
      if (show) { visible += 1; }
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector("[data-kind]:not([hidden])");
    });
    count.textContent = visible + " of " + items.length + " shown";
  }

  function compare(a, b) {
    var key = sort.value;
    var fa = facts[a.reportIndex];
    var fb = facts[b.reportIndex];
    if (key === "score" && fa.score !== fb.score) { return fb.score - fa.score; }
    if (key === "date-desc" && fa.date !== fb.date) { return fa.date < fb.date ? 1 : -1; }
    if (key === "date-asc" && fa.date !== fb.date) { return fa.date < fb.date ? -1 : 1; }
    return fa.order - fb.order;
  }

  // Sorting moves items only among their siblings: cards stay in their section, rows in their
  // table.
  function reorder() {
    var parents = [];
    items.forEach(function (item) {
      if (parents.indexOf(item.parentNode) === -1) { parents.push(item.parentNode); }
    });
    parents.forEach(function (parent) {
      var siblings = items.filter(function (item) { return item.parentNode === parent; });
      var marker = document.createComment("");
      parent.insertBefore(marker, parent.querySelector(":scope > [data-kind]"));
      siblings.sort(compare).forEach(function (item) { parent.insertBefore(item, marker); });
      parent.removeChild(marker);
    });
  }

  form.addEventListener("input", function (event) {
    if (event.target === sort) { reorder(); return; }
    clearTimeout(timer);
    timer = setTimeout(apply, event.target === text ? 120 : 0);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
})();
