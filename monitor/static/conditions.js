/* Live show/hide of questions with a show_if condition (progressive enhancement).
 *
 * The server renders every question of a section; those hidden for the saved answers
 * carry the `hidden` attribute, and each conditional question carries its parsed
 * condition as JSON in `data-show-if` (see monitor/questionnaires/conditions.py,
 * to_json). Here the same rules are evaluated on the answers as currently typed, so
 * questions appear and disappear without a save. Without JavaScript, saving the page
 * gives the same result. Hidden inputs still post their kept values: nothing is lost.
 */
(function () {
  "use strict";
  var form = document.getElementById("section-form");
  if (!form) { return; }
  var outside = {};
  try { outside = JSON.parse(form.getAttribute("data-outside") || "{}"); } catch (e) { outside = {}; }

  function fieldValue(name) {
    var els = form.querySelectorAll('[name="' + name + '"]');
    if (!els.length) { return undefined; }
    var first = els[0];
    if (first.type === "checkbox") {
      var ticked = [];
      els.forEach(function (el) { if (el.checked) { ticked.push(el.value); } });
      return ticked;
    }
    if (first.type === "radio") {
      var chosen = null;
      els.forEach(function (el) { if (el.checked) { chosen = el.value; } });
      return chosen;
    }
    return first.value;
  }

  function isHidden(name) {
    var box = document.getElementById("q-" + name);
    return box !== null && box.hidden;
  }

  function lookup(name, prefix) {
    if (prefix) {
      var member = fieldValue(prefix + name);
      if (member !== undefined) { return isHidden(prefix + name) ? null : member; }
    }
    var own = fieldValue(name);
    if (own !== undefined) { return isHidden(name) ? null : own; }
    return Object.prototype.hasOwnProperty.call(outside, name) ? outside[name] : null;
  }

  function blank(v) {
    if (v === null || v === undefined) { return true; }
    if (typeof v === "string") { return v.trim() === ""; }
    if (Array.isArray(v)) { return v.length === 0; }
    return false;
  }

  function number(v) {
    if (v && typeof v === "object" && "num" in v) { return Number(v.num); }
    if (typeof v !== "string") { return null; }
    // typed in the user's locale: drop group spaces, read a decimal comma as a point
    var t = v.replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
    if (!/^-?\d+(\.\d+)?$/.test(t)) { return null; }
    return Number(t);
  }

  function equal(a, b) {
    var na = number(a), nb = number(b);
    if (na !== null && nb !== null) { return na === nb; }
    if (Array.isArray(a) || Array.isArray(b)) { return false; }
    return a === b;
  }

  function contains(needle, hay) {
    if (Array.isArray(needle)) { return needle.some(function (n) { return contains(n, hay); }); }
    if (Array.isArray(hay)) { return hay.some(function (h) { return equal(needle, h); }); }
    return typeof hay === "string" && needle === hay;
  }

  function value(node, prefix) {
    if ("ref" in node) { return lookup(node.ref, prefix); }
    if ("lit" in node) { return node.lit; }
    return truth(node, prefix);
  }

  function truth(node, prefix) {
    if ("ref" in node) { return !blank(lookup(node.ref, prefix)); }
    if ("lit" in node) { return !blank(node.lit); }
    if ("not" in node) { return !truth(node.not, prefix); }
    if ("and" in node) { return node.and.every(function (p) { return truth(p, prefix); }); }
    if ("or" in node) { return node.or.some(function (p) { return truth(p, prefix); }); }
    var l = value(node.l, prefix), r = value(node.r, prefix);
    if (blank(l) || blank(r)) { return false; }
    switch (node.op) {
      case "=": return equal(l, r);
      case "!=": return !equal(l, r);
      case "in": return contains(l, r);
      case "not in": return !contains(l, r);
    }
    var a = number(l), b = number(r);
    if (a === null || b === null) { return false; }
    if (node.op === "<") { return a < b; }
    if (node.op === "<=") { return a <= b; }
    if (node.op === ">") { return a > b; }
    return a >= b;
  }

  var boxes = Array.prototype.slice.call(document.querySelectorAll("[data-show-if]"));
  var trees = boxes.map(function (box) {
    try { return JSON.parse(box.getAttribute("data-show-if")); } catch (e) { return null; }
  });

  function update() {
    // repeat until stable: hiding one question can hide those that depend on it
    for (var pass = 0; pass < boxes.length + 1; pass++) {
      var changed = false;
      boxes.forEach(function (box, i) {
        if (!trees[i]) { return; }
        var show = truth(trees[i], box.getAttribute("data-entry") || "");
        if (box.hidden === show) { box.hidden = !show; changed = true; }
      });
      if (!changed) { return; }
    }
  }

  if (boxes.length) {
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
  }
})();
