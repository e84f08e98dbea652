// Negotiation classroom: the script of every page (/explore adds explore.js). Two jobs, both optional
// (every classroom page works without it):
// 1. pages with data-poll reload when the room changes (a poll every few seconds);
// 2. the offer form shows the team's own utility of the offer as its controls move.
(function () {
  "use strict";

  function poll() {
    var url = document.body.dataset.poll, seen = document.body.dataset.version;
    if (!url) return;
    setInterval(function () {
      fetch(url, { cache: "no-store", credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) { if (d && d.version !== seen) window.location.reload(); })
        .catch(function () {});
    }, 2500);
  }

  // The value of a position to the party, as negotiation.kernel.utility computes it; the page
  // gives each issue's shape by name (negotiation.kernel.codes.Shape, lower case).
  function continuousValue(x, it) {
    var far = Math.max(it.ideal - it.lo, it.hi - it.ideal);
    var d = far > 0 ? Math.min(Math.max(Math.abs(x - it.ideal) / far, 0), 1) : 0;
    switch (it.shape) {
      case "concave": return 1 - d * d;
      case "convex": return (1 - d) * (1 - d);
      default: return 1 - d;  // "linear"
    }
  }

  function liveUtility() {
    var form = document.getElementById("offer-form"), data = document.getElementById("brief-data");
    var out = document.getElementById("live-u");
    if (!form || !data || !out) return;
    var brief = JSON.parse(data.textContent);
    function fieldOf(issue) { return form.querySelector('[data-issue="' + CSS.escape(issue) + '"]'); }
    function update() {
      var total = brief.stake, ok = true;
      brief.issues.forEach(function (it) {
        var el = fieldOf(it.issue);
        if (!el) { ok = false; return; }
        if (it.values) {
          total += it.w * (it.values[el.value] || 0);
        } else {
          var x = Number(el.value.trim());
          if (el.value.trim() === "" || !isFinite(x) || x < it.lo - 1e-9 || x > it.hi + 1e-9) { ok = false; return; }
          total += it.w * continuousValue(x, it);
        }
      });
      out.textContent = ok ? total.toFixed(2) : "–";
      out.classList.toggle("below", ok && total < brief.walk_away);
    }
    form.querySelectorAll("input[type=range][data-for]").forEach(function (slider) {
      var box = document.getElementById(slider.dataset.for);
      slider.addEventListener("input", function () { box.value = slider.value; update(); });
      box.addEventListener("input", function () {
        var x = Number(box.value);
        if (box.value.trim() !== "" && isFinite(x)) slider.value = x;
        update();
      });
    });
    form.querySelectorAll("select[data-issue]").forEach(function (el) { el.addEventListener("change", update); });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () { poll(); liveUtility(); });
})();
