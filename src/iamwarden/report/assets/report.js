// iamwarden audit report: selection, highlighting, pan/zoom, filtering.
// Reads only ids and data-* attributes the renderer generated; untrusted text is
// never turned into HTML here (the side panel clones <template> elements).
(function () {
  "use strict";
  var svg = document.getElementById("graph");
  var viewport = document.getElementById("viewport");
  var box = svg ? svg.parentNode : null;
  var panel = document.getElementById("panel-body");
  var defaultPanel = panel ? panel.cloneNode(true) : null;
  var view = null;

  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function ids(s) { return (s || "").split(/\s+/).filter(Boolean); }

  function showTemplate(id) {
    var tpl = id && document.getElementById(id);
    if (!panel || !tpl || !tpl.content) return;
    panel.replaceChildren(tpl.content.cloneNode(true));
  }

  function clearSelection() {
    if (svg) svg.classList.remove("selecting");
    $all(".hl").forEach(function (el) { el.classList.remove("hl"); });
    $all("button.path.active").forEach(function (el) { el.classList.remove("active"); });
    $all("tr.prow.selected").forEach(function (el) { el.classList.remove("selected"); });
    $all(".edge path").forEach(function (p) {
      if (p.dataset.marker) { p.setAttribute("marker-end", p.dataset.marker); delete p.dataset.marker; }
    });
    if (panel && defaultPanel) panel.replaceChildren.apply(panel, Array.prototype.slice.call(defaultPanel.cloneNode(true).childNodes));
  }

  function highlight(nodeIds, edgeIds) {
    if (!svg) return;
    svg.classList.add("selecting");
    nodeIds.forEach(function (id) { var n = document.getElementById(id); if (n) n.classList.add("hl"); });
    edgeIds.forEach(function (id) {
      var e = document.getElementById(id);
      if (!e) return;
      e.classList.add("hl");
      var p = e.querySelector("path");
      if (p && !p.dataset.marker) { p.dataset.marker = p.getAttribute("marker-end"); p.setAttribute("marker-end", "url(#arrow-hl)"); }
      $all('.elabel[data-edge="' + id + '"]').forEach(function (l) { l.classList.add("hl"); });
    });
  }

  function selectRow(row) {
    if (!row) return;
    row.classList.add("selected");
  }

  function graphVisible() {
    if (!box) return true;
    var r = box.getBoundingClientRect();
    return r.bottom > 80 && r.top < window.innerHeight - 80;
  }

  function selectPath(btn, scroll) {
    clearSelection();
    btn.classList.add("active");
    selectRow(btn.closest("tr"));
    highlight(ids(btn.dataset.nodes), ids(btn.dataset.edges));
    showTemplate("detail-" + btn.dataset.path);
    if (scroll && !graphVisible()) box.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  function selectNode(node) {
    var row = node.dataset.row && document.getElementById(node.dataset.row);
    var first = row && row.querySelector("button.path");
    if (first) { selectPath(first, false); }
    else {
      clearSelection();
      var edges = $all('.edge[data-from="' + node.id + '"], .edge[data-to="' + node.id + '"]');
      var nodes = [node.id];
      edges.forEach(function (e) { nodes.push(e.dataset.from, e.dataset.to); });
      highlight(nodes, edges.map(function (e) { return e.id; }));
      selectRow(row);
      showTemplate(node.dataset.detail);
    }
  }

  function selectPrincipalRow(row, scroll) {
    var first = row.querySelector("button.path");
    if (first) { selectPath(first, scroll); return; }
    clearSelection();
    selectRow(row);
    var node = row.dataset.node && document.getElementById(row.dataset.node);
    if (node) highlight([node.id], []);
    showTemplate(row.dataset.detail);
    if (scroll && node && !graphVisible()) box.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  // ---- pan and zoom on the SVG viewBox
  function fullView() {
    return { x: 0, y: 0, w: +svg.dataset.width, h: +svg.dataset.height };
  }
  function fit() {
    var full = fullView();
    var bw = box.clientWidth || 800, bh = box.clientHeight || 500;
    var scale = Math.max(full.w / bw, full.h / bh, 0.8);  // never blow a small graph up past 125%
    var w = bw * scale, h = bh * scale;
    view = { x: (full.w - w) / 2, y: (full.h - h) / 2, w: w, h: h };
    apply();
  }
  function apply() { svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" ")); }
  function zoom(f, cx, cy) {
    if (cx === undefined) { cx = view.x + view.w / 2; cy = view.y + view.h / 2; }
    view = { x: cx - (cx - view.x) * f, y: cy - (cy - view.y) * f, w: view.w * f, h: view.h * f };
    apply();
  }
  function svgPoint(evt) {
    var r = svg.getBoundingClientRect();
    return { x: view.x + (evt.clientX - r.left) / r.width * view.w, y: view.y + (evt.clientY - r.top) / r.height * view.h };
  }

  if (svg) {
    fit();
    window.addEventListener("resize", fit);
    svg.addEventListener("wheel", function (evt) {
      evt.preventDefault();
      var p = svgPoint(evt);
      zoom(evt.deltaY > 0 ? 1.15 : 1 / 1.15, p.x, p.y);
    }, { passive: false });
    var drag = null;
    svg.addEventListener("pointerdown", function (evt) {
      if (evt.target.closest(".node")) return;
      drag = { x: evt.clientX, y: evt.clientY, vx: view.x, vy: view.y, moved: false };
      box.classList.add("dragging");
    });
    window.addEventListener("pointermove", function (evt) {
      if (!drag) return;
      var r = svg.getBoundingClientRect();
      var dx = (evt.clientX - drag.x) / r.width * view.w, dy = (evt.clientY - drag.y) / r.height * view.h;
      if (Math.abs(evt.clientX - drag.x) + Math.abs(evt.clientY - drag.y) > 3) drag.moved = true;
      view.x = drag.vx - dx; view.y = drag.vy - dy; apply();
    });
    window.addEventListener("pointerup", function (evt) {
      if (drag && !drag.moved && !evt.target.closest(".node, .edge")) clearSelection();
      drag = null; box.classList.remove("dragging");
    });
    svg.addEventListener("click", function (evt) {
      var node = evt.target.closest(".node");
      if (node) { selectNode(node); return; }
      var edge = evt.target.closest(".edge");
      if (edge) {
        clearSelection();
        highlight([edge.dataset.from, edge.dataset.to], [edge.id]);
      }
    });
    svg.addEventListener("keydown", function (evt) {
      var node = evt.target.closest && evt.target.closest(".node");
      if (node && (evt.key === "Enter" || evt.key === " ")) { evt.preventDefault(); selectNode(node); }
    });
    document.getElementById("zoom-in").addEventListener("click", function () { zoom(1 / 1.25); });
    document.getElementById("zoom-out").addEventListener("click", function () { zoom(1.25); });
    document.getElementById("zoom-reset").addEventListener("click", fit);
  }
  var clearBtn = document.getElementById("clear");
  if (clearBtn) clearBtn.addEventListener("click", clearSelection);
  document.addEventListener("keydown", function (evt) { if (evt.key === "Escape") clearSelection(); });

  // ---- table and findings
  document.addEventListener("click", function (evt) {
    var t = evt.target;
    if (!t.closest) return;
    var btn = t.closest("button.path");
    if (btn) { selectPath(btn, true); return; }
    var who = t.closest(".who-link");
    if (who && who.dataset.row) {
      var r = document.getElementById(who.dataset.row);
      if (r) { selectPrincipalRow(r, false); r.scrollIntoView({ block: "center", behavior: "smooth" }); }
      return;
    }
    var row = t.closest("tr.prow");
    if (row) selectPrincipalRow(row, true);
  });

  var filter = document.getElementById("filter"), risky = document.getElementById("only-risky");
  function applyFilter() {
    var q = (filter.value || "").toLowerCase();
    $all("tr.prow").forEach(function (row) {
      var okText = !q || row.querySelector("td.who").textContent.toLowerCase().indexOf(q) >= 0;
      var okKind = !risky.checked || row.dataset.kind !== "plain";
      row.classList.toggle("hidden", !(okText && okKind));
    });
  }
  if (filter) filter.addEventListener("input", applyFilter);
  if (risky) risky.addEventListener("change", applyFilter);

  // ---- #path=N preselects a path; #selftest clicks through and records the outcome
  function selfTest() {
    var out = [];
    var buttons = $all("button.path");
    if (!buttons.length) return "pass no-paths";
    var btn = buttons[0];
    selectPath(btn, false);
    var wantN = ids(btn.dataset.nodes).length, wantE = ids(btn.dataset.edges).length;
    var gotN = $all("#graph .node.hl").length, gotE = $all("#graph .edge.hl").length;
    if (gotN !== wantN || gotE !== wantE) throw new Error("path highlight " + gotN + "/" + wantN + " nodes " + gotE + "/" + wantE + " edges");
    if (!svg.classList.contains("selecting")) throw new Error("graph not in selecting mode");
    if (!btn.closest("tr").classList.contains("selected")) throw new Error("row not selected");
    if (!panel.querySelector("ol.steps")) throw new Error("path details not shown");
    out.push("path=" + gotN + "n" + gotE + "e");
    var admin = document.querySelector("#graph .node.admin");
    if (admin) {
      admin.dispatchEvent(new MouseEvent("click", { bubbles: true }));
      if (!admin.classList.contains("hl")) throw new Error("admin node not highlighted");
      if (btn.classList.contains("active")) throw new Error("old path still active");
      out.push("node=" + $all("#graph .node.hl").length + "n");
    }
    clearSelection();
    if ($all(".hl").length) throw new Error("clear left highlights");
    var longest = buttons.reduce(function (a, b) { return ids(b.dataset.edges).length > ids(a.dataset.edges).length ? b : a; });
    selectPath(longest, false);
    out.push("longest=" + ids(longest.dataset.edges).length + "e");
    return "pass " + out.join(" ");
  }
  var hash = window.location.hash || "";
  if (hash === "#selftest") {
    var verdict;
    try { verdict = selfTest(); } catch (err) { verdict = "fail " + (err && err.message ? err.message : err); }
    document.documentElement.setAttribute("data-selftest", verdict);
  } else if (/^#path=\d+$/.test(hash)) {
    var b = document.getElementById("path-" + hash.slice(6));
    if (b) selectPath(b, false);
  }
  document.documentElement.setAttribute("data-ready", "1");
})();
