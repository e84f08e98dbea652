// The what-if explorer (/explore): the controls' values go to view.json after each change and the
// answer is drawn here (odds table, agreement-day and terms bands as SVG, the command); the heatmap
// comes from heatmap.json on request. One request at a time: while one is computing, later changes
// wait and only the latest is sent. The previous numbers stay on the page until new ones arrive.
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var data, csrf;
  var fixed = {};          // name -> value text, the parameters fixed on the page
  var applied = "";        // the history text the odds are conditioned on
  var lastMoved = null;    // the parameter moved last (the heatmap's default across)
  var wanted = null;       // the latest state asked for and not yet sent
  var busy = false;
  var shown = null;        // {state, answer} on the page
  var baseline = {};       // key -> the view with every distribution (for the change column)
  var heat = null;         // the heatmap on the page: {answer, stateKey}

  function $(id) { return document.getElementById(id); }

  function node(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function shape(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function pct(p, digits) { return (100 * p).toFixed(digits === undefined ? 1 : digits) + "%"; }
  function num(v, digits) { return Number(v).toLocaleString("en-US", { maximumFractionDigits: digits === undefined ? 4 : digits }); }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }
  function dayOf(iso) { return Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / 864e5; }

  // --- the state of the page and the requests ----------------------------------------------------

  function state() {
    var f = {};
    Object.keys(fixed).forEach(function (k) { f[k] = fixed[k]; });
    return { seed: $("seed").value.trim(), draws: $("draws").value.trim(), fixed: f, history: applied };
  }

  function key(s) { return [s.seed, s.draws, s.history].join("|"); }
  function fullKey(s) { return key(s) + "|" + Object.keys(s.fixed).sort().map(function (n) { return n + "=" + s.fixed[n]; }).join("&"); }

  function body(s, extra) {
    var f = new URLSearchParams();
    f.append("csrf", csrf);
    f.append("scenario", data.scenario);
    f.append("seed", s.seed);
    f.append("draws", s.draws);
    Object.keys(s.fixed).sort().forEach(function (n) { f.append("fix", n + "=" + s.fixed[n]); });
    f.append("history", s.history);
    Object.keys(extra || {}).forEach(function (k) { f.append(k, extra[k]); });
    return f;
  }

  function post(url, form) {
    return fetch(url, { method: "POST", body: form, credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        return r.text().then(function (t) {
          var d = null;
          try { d = JSON.parse(t); } catch (e) { d = null; }
          if (!d) throw { error: r.status === 403 ? "This page has expired; reload it." : "The server answered HTTP " + r.status + ".", lines: [] };
          if (!r.ok) throw d;
          return d;
        });
      }, function () { throw { error: "The server cannot be reached.", lines: [] }; });
  }

  function request() {
    wanted = state();
    computing(true);
    syncUrl(wanted);
    markHeatmap();
    if (!busy) pump();
  }

  function pump() {
    if (wanted) { var s = wanted; wanted = null; run(s, false); return; }
    if (shown && Object.keys(shown.state.fixed).length && !(key(shown.state) in baseline)) {
      var b = { seed: shown.state.seed, draws: shown.state.draws, fixed: {}, history: shown.state.history };
      run(b, true);
    }
  }

  function run(s, isBaseline) {
    busy = true;
    if (!isBaseline) computing(true);
    post(data.view_url, body(s)).then(function (d) {
      if (isBaseline) {
        baseline[key(s)] = d.view;
        if (shown) drawOdds(shown);
        return;
      }
      shown = { state: s, answer: d };
      if (!Object.keys(s.fixed).length) baseline[key(s)] = d.view;
      computing(false);
      draw(shown);
    }, function (e) {
      if (isBaseline) { baseline[key(s)] = null; return; }
      computing(false);
      failed(e, s);
    }).then(function () { busy = false; pump(); });
  }

  function computing(on) {
    $("results").classList.toggle("stale", on);
    if (on) {
      $("status").textContent = shown ? "computing… (the numbers below are for the previous settings)" : "computing…";
      $("status").className = "status busy";
    }
  }

  function errorBox(where, e) {
    var box = clear($(where));
    if (!e) return;
    var alert = node("div", { class: "alert error", role: "alert" });
    alert.appendChild(node("p", {}, e.error || String(e)));
    if (e.lines && e.lines.length) {
      var ul = node("ul", { class: "problems" });
      e.lines.forEach(function (line) { var li = node("li"); li.appendChild(node("code", {}, line)); ul.appendChild(li); });
      alert.appendChild(ul);
    }
    box.appendChild(alert);
  }

  function failed(e, s) {
    var aboutHistory = s.history && /history\.yaml|no draw of/.test(e.error + (e.lines || []).join(" "));
    errorBox(aboutHistory ? "history-error" : "view-error", e);
    if (aboutHistory) errorBox("view-error", { error: "The history could not be used; see the message under it." });
    $("results").classList.toggle("stale", !!shown);
    $("status").textContent = shown ? "The numbers below are for the previous settings." : "No numbers yet.";
    $("status").className = "status";
  }

  function syncUrl(s) {
    var q = new URLSearchParams();
    q.append("scenario", data.scenario);
    q.append("seed", s.seed);
    q.append("draws", s.draws);
    Object.keys(s.fixed).sort().forEach(function (n) { q.append("fix", n + "=" + s.fixed[n]); });
    history.replaceState(null, "", data.page_url + "?" + q.toString());
  }

  // --- drawing a view ------------------------------------------------------------------------------

  function draw(v) {
    $("view").hidden = false;
    errorBox("view-error", null);
    errorBox("history-error", null);
    var a = v.answer, view = a.view;
    var n = Number(view.draws).toLocaleString("en-US");
    var fixedNames = Object.keys(view.fixed);
    $("status").textContent = n + " draws, seed " + view.seed + ", " +
      (fixedNames.length ? fixedNames.length + " parameter" + (fixedNames.length === 1 ? "" : "s") + " fixed" : "every parameter at its distribution") +
      (view.given ? ", given the history" : "") + " · " + (a.kept ? "computed earlier in " : "computed in ") + a.seconds.toFixed(1) + " s";
    $("status").className = "status done";
    drawOdds(v);
    drawDays(view);
    drawTerms(view);
    $("command").textContent = a.command;
    $("own-sweep").hidden = !(data.own_sweep && !fixedNames.length);
    $("link").setAttribute("href", a.link);
  }

  function drawOdds(v) {
    var view = v.answer.view, given = view.given;
    var block = given ? given.outcomes : view.outcomes;
    var total = given ? given.matched : view.draws;
    var base = baseline[key(v.state)];
    var showChange = Object.keys(view.fixed).length > 0;
    $("odds-title").textContent = given ? "Odds of each outcome, given the history" : "Odds of each outcome";
    $("given-line").textContent = given ? given.matched.toLocaleString("en-US") + " of " +
      Number(view.draws).toLocaleString("en-US") + " draws (" + pct(given.share) + ") agree with every fact; " +
      "the odds and bands are among those draws." : "";
    $("prior-head").hidden = !given;
    $("change-head").textContent = showChange ? "Change" : "";
    var tbody = clear($("odds").querySelector("tbody"));
    data.outcomes.forEach(function (o) {
      var b = block[o.name];
      var tr = node("tr", { "data-outcome": o.name, "data-p": String(b.p), "data-lo": String(b.ci95[0]), "data-hi": String(b.ci95[1]), "data-n": String(b.n) });
      if (!b.n) tr.className = "zero";
      tr.appendChild(node("td", {}, o.label));
      tr.appendChild(node("td", { class: "num p" }, pct(b.p)));
      tr.appendChild(node("td", { class: "num ci" }, pct(b.ci95[0]) + " – " + pct(b.ci95[1])));
      tr.appendChild(node("td", { class: "num n" }, b.n.toLocaleString("en-US") + " of " + total.toLocaleString("en-US")));
      var bar = node("td", { class: "bar-col" });
      bar.appendChild(oddsBar(b));
      tr.appendChild(bar);
      if (given) {
        var prior = view.outcomes[o.name];
        tr.appendChild(node("td", { class: "num prior", "data-p": String(prior.p) }, pct(prior.p)));
      }
      var change = node("td", { class: "num change" });
      if (showChange && base) {
        var was = (given ? base.given.outcomes : base.outcomes)[o.name].p, d = b.p - was;
        change.textContent = (d > 0 ? "+" : d < 0 ? "−" : "±") + (100 * Math.abs(d)).toFixed(1);
        change.className += d > 0.0005 ? " pos" : d < -0.0005 ? " neg" : "";
        change.title = "with every parameter at its distribution: " + pct(was);
      } else if (showChange) {
        change.textContent = base === null ? "–" : "…";
      }
      tr.appendChild(change);
      tbody.appendChild(tr);
    });
  }

  function oddsBar(b) {
    var W = 160, H = 14, s = shape("svg", { viewBox: "0 0 " + W + " " + H, class: "bar", "aria-hidden": "true" });
    s.appendChild(shape("rect", { x: 0, y: 2, width: W, height: H - 4, fill: "#eef1f4" }));
    s.appendChild(shape("rect", { x: 0, y: 2, width: (W * b.p).toFixed(1), height: H - 4, fill: "#1f5fa8" }));
    var lo = W * b.ci95[0], hi = W * b.ci95[1];
    s.appendChild(shape("line", { x1: lo.toFixed(1), x2: hi.toFixed(1), y1: H / 2, y2: H / 2, stroke: "#17324f", "stroke-width": 1.5 }));
    [lo, hi].forEach(function (x) { s.appendChild(shape("line", { x1: x.toFixed(1), x2: x.toFixed(1), y1: 2, y2: H - 2, stroke: "#17324f", "stroke-width": 1.5 })); });
    return s;
  }

  // A band chart over [lo, hi]: 90% (light) and 50% (dark) of the values, the median as a line.
  function band(q, lo, hi, ticks, label) {
    var W = 560, H = 58, L = 10, R = 10, top = 8, h = 18;
    function X(v) { return L + (hi > lo ? (v - lo) / (hi - lo) : 0.5) * (W - L - R); }
    var s = shape("svg", { viewBox: "0 0 " + W + " " + H, class: "band", role: "img", "aria-label": label });
    s.appendChild(shape("title", {}, label));
    s.appendChild(shape("rect", { x: L, y: top, width: W - L - R, height: h, fill: "#f1f3f5" }));
    s.appendChild(shape("rect", { x: X(q.q05).toFixed(1), y: top, width: Math.max(X(q.q95) - X(q.q05), 1.5).toFixed(1), height: h, fill: "#b9cfe8" }));
    s.appendChild(shape("rect", { x: X(q.q25).toFixed(1), y: top, width: Math.max(X(q.q75) - X(q.q25), 1.5).toFixed(1), height: h, fill: "#5b8cc6" }));
    s.appendChild(shape("line", { x1: X(q.q50).toFixed(1), x2: X(q.q50).toFixed(1), y1: top - 4, y2: top + h + 4, stroke: "#17324f", "stroke-width": 2.5 }));
    ticks.forEach(function (t, k) {
      var x = X(t.v), anchor = k === 0 ? "start" : k === ticks.length - 1 ? "end" : "middle";
      s.appendChild(shape("line", { x1: x.toFixed(1), x2: x.toFixed(1), y1: top + h, y2: top + h + 4, stroke: "#8a96a3" }));
      s.appendChild(shape("text", { x: x.toFixed(1), y: top + h + 16, "text-anchor": anchor, "font-size": 11, fill: "#5f6b76" }, t.label));
    });
    return s;
  }

  function drawDays(view) {
    var box = clear($("days"));
    var q = view.agreement_date;
    if (!q) { box.appendChild(node("p", { class: "muted" }, "No draw ended in an agreement.")); return; }
    var lo = dayOf(data.start), hi = dayOf(data.horizon), qd = {};
    Object.keys(q).forEach(function (k) { qd[k] = dayOf(q[k]); });
    var ticks = [{ v: lo, label: data.start }];
    var y0 = +data.start.slice(0, 4) + 1, y1 = +data.horizon.slice(0, 4);
    for (var y = y0; y <= y1; y++) {  // each New Year's day not too close to the ends' labels
      var d = Date.UTC(y, 0, 1) / 864e5;
      if ((d - lo) / (hi - lo) > 0.16 && (hi - d) / (hi - lo) > 0.16) ticks.push({ v: d, label: String(y) });
    }
    ticks.push({ v: hi, label: data.horizon });
    box.appendChild(band(qd, lo, hi, ticks, "Day the agreement was signed: 5%, 25%, 50%, 75% and 95% quantiles"));
    box.appendChild(node("p", { class: "small band-text" }, "Of the " + view.agreed.toLocaleString("en-US") +
      " draws that ended in an agreement: median " + q.q50 + "; half between " + q.q25 + " and " + q.q75 +
      "; 90% between " + q.q05 + " and " + q.q95 + "."));
  }

  function drawTerms(view) {
    var box = clear($("terms"));
    if (!view.agreement_date) { box.appendChild(node("p", { class: "muted" }, "No draw ended in an agreement.")); return; }
    Object.keys(view.terms).forEach(function (issue) {
      var t = view.terms[issue], row = node("div", { class: "term", "data-issue": issue });
      var head = node("div", { class: "term-head" });
      head.appendChild(node("strong", {}, t.label));
      head.appendChild(node("span", { class: "muted small" }, t.discrete ? " (share of the agreements)" : " (" + t.unit + ")"));
      row.appendChild(head);
      if (!t.values) { row.appendChild(node("p", { class: "muted small" }, "No agreement.")); box.appendChild(row); return; }
      if (t.discrete) {
        row.appendChild(shares(t));
      } else {
        var q = t.values, lo = t.range[0], hi = t.range[1];
        var d = Math.min(4, Math.max(0, 3 - Math.floor(Math.log10(hi - lo || 1))));  // about four significant digits
        var ticks = [0, 0.25, 0.5, 0.75, 1].map(function (f) { var v = lo + f * (hi - lo); return { v: v, label: num(v, d) }; });
        row.appendChild(band(q, lo, hi, ticks, t.label + ": quantiles of the agreed term"));
        row.appendChild(node("p", { class: "small band-text" }, "median " + num(q.q50, d) + "; half between " + num(q.q25, d) +
          " and " + num(q.q75, d) + "; 90% between " + num(q.q05, d) + " and " + num(q.q95, d) + "."));
      }
      box.appendChild(row);
    });
  }

  var OPTION_FILLS = ["#1f5fa8", "#7aa6d6", "#c0392b", "#e8a39b", "#2e8540", "#9fd0a9", "#8e44ad", "#d35400"];

  function shares(t) {
    var W = 560, H = 26, x = 10, inner = W - 20;
    var s = shape("svg", { viewBox: "0 0 " + W + " " + H, class: "band", role: "img", "aria-label": t.label + ": share of each option" });
    var legend = node("p", { class: "small band-text" });
    t.options.forEach(function (opt, k) {
      var p = t.values[opt] || 0, w = inner * p;
      if (w > 0) {
        s.appendChild(shape("rect", { x: x.toFixed(1), y: 4, width: w.toFixed(1), height: 18, fill: OPTION_FILLS[k % OPTION_FILLS.length] }));
        if (w > 70) s.appendChild(shape("text", { x: (x + w / 2).toFixed(1), y: 17, "text-anchor": "middle", "font-size": 11, fill: k % 2 ? "#17324f" : "#fff" }, opt + " " + pct(p, 0)));
      }
      x += w;
      var item = node("span", { class: "legend-item" });
      var sw = shape("svg", { viewBox: "0 0 10 10", class: "swatch", "aria-hidden": "true" });
      sw.appendChild(shape("rect", { x: 0, y: 0, width: 10, height: 10, fill: OPTION_FILLS[k % OPTION_FILLS.length] }));
      item.appendChild(sw);
      item.appendChild(document.createTextNode(" " + opt + " " + pct(p)));
      legend.appendChild(item);
    });
    var wrap = node("div");
    wrap.appendChild(s);
    wrap.appendChild(legend);
    return wrap;
  }

  // --- the heatmap ---------------------------------------------------------------------------------

  function drawHeatmap() {
    var x = $("hx").value, y = $("hy").value, s = state();
    var status = $("heatmap-status");
    if (x === y) { status.textContent = "Choose two different parameters."; return; }
    status.textContent = "computing… (" + $("hdraws").value + " draws in each cell)";
    status.className = "status busy";
    $("heatmap").classList.add("stale");
    $("heatmap-draw").disabled = true;
    post(data.heatmap_url, body(s, { x: x, y: y, cell_draws: $("hdraws").value })).then(function (d) {
      heat = { answer: d, stateKey: fullKey(s) };
      status.textContent = d.heatmap.xs.length + " × " + d.heatmap.ys.length + " cells, " +
        Number(d.heatmap.draws).toLocaleString("en-US") + " draws each" + (d.heatmap.matched !== null ? ", given the history" : "") +
        " · " + (d.kept ? "computed earlier in " : "computed in ") + d.seconds.toFixed(1) + " s";
      status.className = "status done";
      paintHeatmap();
    }, function (e) {
      status.textContent = e.error || String(e);
      status.className = "status failed";
    }).then(function () { $("heatmap").classList.remove("stale"); $("heatmap-draw").disabled = false; });
  }

  function colour(p) {  // white to the accent blue
    var a = [247, 250, 253], b = [23, 74, 131];
    return "rgb(" + a.map(function (c, k) { return Math.round(c + (b[k] - c) * p); }).join(",") + ")";
  }

  function paintHeatmap() {
    if (!heat) return;
    var h = heat.answer.heatmap, outcome = $("houtcome").value;
    var label = data.outcomes.filter(function (o) { return o.name === outcome; })[0].label;
    var CW = 84, CH = 40, L = 150, T = 12, B = 56;
    var W = L + CW * h.xs.length + 10, H = T + CH * h.ys.length + B;
    var s = shape("svg", { viewBox: "0 0 " + W + " " + H, class: "heat", role: "img", "aria-label": "Odds of " + label + " by " + h.x + " and " + h.y });
    s.appendChild(shape("title", {}, "Odds of " + label + " by " + h.x + " (across) and " + h.y + " (down)"));
    h.ys.forEach(function (yv, j) {
      var row = h.ys.length - 1 - j;  // the largest value at the top
      s.appendChild(shape("text", { x: L - 8, y: T + row * CH + CH / 2 + 4, "text-anchor": "end", "font-size": 12, fill: "#1d2329" }, num(yv)));
      h.xs.forEach(function (xv, i) {
        var cell = h.cells[j][i], p = cell.outcomes[outcome];
        var g = shape("g", { class: "cell", "data-x": String(xv), "data-y": String(yv), "data-p": String(p) });
        g.appendChild(shape("rect", { x: L + i * CW + 1, y: T + row * CH + 1, width: CW - 2, height: CH - 2, fill: cell.n ? colour(p) : "#eeeeee" }));
        g.appendChild(shape("text", { x: L + i * CW + CW / 2, y: T + row * CH + CH / 2 + 4, "text-anchor": "middle", "font-size": 12, fill: p > 0.55 ? "#fff" : "#1d2329" }, cell.n ? pct(p) : "–"));
        g.appendChild(shape("title", {}, h.x + " = " + num(xv) + ", " + h.y + " = " + num(yv) + ": " + (cell.n ? pct(p) + " of " + cell.n.toLocaleString("en-US") + " draws" : "no draw agrees with the history")));
        s.appendChild(g);
      });
    });
    h.xs.forEach(function (xv, i) {
      s.appendChild(shape("text", { x: L + i * CW + CW / 2, y: T + CH * h.ys.length + 16, "text-anchor": "middle", "font-size": 12, fill: "#1d2329" }, num(xv)));
    });
    s.appendChild(shape("text", { x: L + CW * h.xs.length / 2, y: T + CH * h.ys.length + 38, "text-anchor": "middle", "font-size": 12, "font-weight": 600, fill: "#1d2329" }, h.x + " →"));
    s.appendChild(shape("text", { x: 12, y: T + CH * h.ys.length / 2, "text-anchor": "middle", "font-size": 12, "font-weight": 600, fill: "#1d2329", transform: "rotate(-90 12 " + (T + CH * h.ys.length / 2) + ")" }, h.y + " →"));
    var box = clear($("heatmap"));
    box.appendChild(node("p", { class: "small" }, "Odds of " + label + ":"));
    box.appendChild(s);
    var legend = node("div", { class: "heat-legend small muted" }), scale = shape("svg", { viewBox: "0 0 200 12", class: "heat-scale", "aria-hidden": "true" });
    for (var k = 0; k < 20; k++) scale.appendChild(shape("rect", { x: 10 * k, y: 0, width: 10, height: 12, fill: colour((k + 0.5) / 20) }));
    legend.appendChild(document.createTextNode("0%"));
    legend.appendChild(scale);
    legend.appendChild(document.createTextNode("100%"));
    box.appendChild(legend);
    $("heatmap-command").textContent = heat.answer.command;
    $("heatmap-command-box").hidden = false;
    markHeatmap();
  }

  function precision() {  // the widest 95% interval of a cell's odds (at 50%), in points
    var n = Number($("hdraws").value);
    $("heatmap-precision").textContent = "within about ±" + (196 * Math.sqrt(0.25 / n)).toFixed(1) +
      " points (95%) at " + n.toLocaleString("en-US") + " draws";
  }

  function markHeatmap() {
    var note = $("heatmap-status");
    if (heat && heat.stateKey !== fullKey(state()) && !note.classList.contains("busy")) {
      note.textContent = "The settings changed since this heatmap was drawn; draw it again to update it.";
      note.className = "status failed";
    }
  }

  // --- the controls --------------------------------------------------------------------------------

  function counts() {
    var n = Object.keys(fixed).length;
    $("n-fixed").textContent = n ? "· " + n + " fixed" : "· every one at its distribution";
    document.querySelectorAll("details.group").forEach(function (g) {
      var k = g.querySelectorAll(".ctl.fixed").length;
      g.querySelector(".group-count").textContent = k ? k + " fixed" : "";
    });
  }

  function wire(row) {
    var name = row.dataset.name, box = row.querySelector(".ctl-fix");
    var range = row.querySelector(".ctl-range"), value = row.querySelector(".ctl-value");
    function fix(v) {
      fixed[name] = v;
      box.checked = true;
      row.classList.add("fixed");
      lastMoved = name;
      $("hx").value = name;
      if ($("hy").value === name) $("hy").value = otherThan(name);
      counts();
      request();
    }
    range.addEventListener("input", function () { value.value = range.value; });
    range.addEventListener("change", function () { value.value = range.value; fix(range.value); });
    value.addEventListener("change", function () {
      var t = value.value.trim();
      if (t === "" || !isFinite(Number(t))) return;
      range.value = t;
      fix(t);
    });
    box.addEventListener("change", function () {
      if (box.checked) { fix(value.value.trim() || range.value); return; }
      delete fixed[name];
      row.classList.remove("fixed");
      counts();
      request();
    });
    if (box.checked) fixed[name] = value.value.trim();
  }

  function otherThan(name) {
    var all = Array.prototype.map.call(document.querySelectorAll(".ctl"), function (r) { return r.dataset.name; });
    var pick = all.filter(function (n) { return n !== name && !/\.weight$|\.value\./.test(n); })[0];
    return pick || all.filter(function (n) { return n !== name; })[0];
  }

  function filter() {
    var t = $("filter").value.trim().toLowerCase();
    document.querySelectorAll("details.group").forEach(function (g) {
      var any = false;
      g.querySelectorAll(".ctl").forEach(function (row) {
        var hit = !t || row.dataset.name.toLowerCase().indexOf(t) >= 0;
        row.hidden = !hit;
        any = any || hit;
      });
      g.hidden = !any;
      if (t && any) g.open = true;
    });
  }

  function copyCommand() {
    var text = $("command").textContent;
    function done() { $("copy").textContent = "Copied"; setTimeout(function () { $("copy").textContent = "Copy the command"; }, 1500); }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {});
    } else {
      var range = document.createRange();
      range.selectNodeContents($("command"));
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
  }

  function start() {
    var holder = $("explore-data");
    if (!holder) return;
    data = JSON.parse(holder.textContent);
    csrf = document.querySelector("input[name=csrf]").value;
    document.querySelectorAll(".ctl").forEach(wire);
    data.outcomes.forEach(function (o) { $("houtcome").appendChild(node("option", { value: o.name }, o.label)); });
    var first = Object.keys(fixed)[0];
    $("hx").value = first || otherThan("");
    $("hy").value = otherThan($("hx").value);
    counts();
    ["seed", "draws"].forEach(function (id) { $(id).addEventListener("change", request); });
    $("reset").addEventListener("click", function () {
      document.querySelectorAll(".ctl.fixed").forEach(function (row) { row.classList.remove("fixed"); row.querySelector(".ctl-fix").checked = false; });
      fixed = {};
      counts();
      request();
    });
    $("filter").addEventListener("input", filter);
    $("history-apply").addEventListener("click", function () { applied = $("history").value; request(); });
    $("history-clear").addEventListener("click", function () { $("history").value = ""; applied = ""; errorBox("history-error", null); request(); });
    $("copy").addEventListener("click", copyCommand);
    $("heatmap-draw").addEventListener("click", drawHeatmap);
    $("hdraws").addEventListener("change", precision);
    precision();
    $("houtcome").addEventListener("change", paintHeatmap);
    request();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
