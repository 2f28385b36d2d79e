// Keyboard shortcuts of the review UI and auto-submitting filters. Plain DOM, no network of
// its own: every action is an ordinary link or form, so the pages work without this file.
(function () {
  "use strict";
  var flags = Array.prototype.slice.call(document.querySelectorAll("article.flag"));
  var current = -1;

  function focusFlag(i) {
    if (!flags.length) { return; }
    current = Math.max(0, Math.min(flags.length - 1, i));
    flags[current].focus();
    flags[current].scrollIntoView({ block: "start" });
  }

  // Coming back from recording a verdict: the page's anchor names the flag just decided.
  if (location.hash) {
    var target = document.getElementById(location.hash.slice(1));
    current = flags.indexOf(target);
  }
  flags.forEach(function (flag, i) {
    flag.addEventListener("focusin", function () { current = i; });
  });

  document.addEventListener("keydown", function (event) {
    var t = event.target;
    var typing = t && (t.tagName === "INPUT" && t.type !== "radio" || t.tagName === "TEXTAREA" || t.tagName === "SELECT");
    if (typing || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var flag = flags[current];
    if (event.key === "j") { focusFlag(current + 1); event.preventDefault(); return; }
    if (event.key === "k") { focusFlag(current - 1); event.preventDefault(); return; }
    if (!flag) { return; }
    var radios = flag.querySelectorAll("input[name=verdict]");
    var n = parseInt(event.key, 10);
    if (n >= 1 && n <= radios.length) {
      radios[n - 1].checked = true;
      radios[n - 1].focus();
      event.preventDefault();
    } else if (event.key === "n") {
      flag.querySelector("input[name=note]").focus();
      event.preventDefault();
    } else if (event.key === "Enter" && flag.querySelector("input[name=verdict]:checked")) {
      flag.querySelector("form.verdict").requestSubmit();
      event.preventDefault();
    }
  });

  var filters = document.getElementById("filters");
  if (filters) {
    filters.addEventListener("change", function () { filters.requestSubmit(); });
  }
})();
