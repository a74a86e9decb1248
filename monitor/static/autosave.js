/* Autosave of a section page (issue 4, point 2).
 *
 * Posts the section form in the background to its data-autosave URL (JSON), 3 seconds
 * after typing stops and when the page is hidden or left, with the CSRF token and the
 * version the page was rendered from (the hidden _base field) and the page's token (_page),
 * so that the server applies the same rules as the Save buttons: an answer someone else changed meanwhile is not
 * overwritten (409, with a link to the conflict page). The answer returns the version to
 * post next time. Files are left to the Save buttons. Without JavaScript nothing changes:
 * the Save buttons post the same form.
 *
 * Only the questions changed since the last successful autosave are sent: every field of
 * each such question (all the cells of a table, all the entries of a group), and their
 * ids in "_items", so that the server reads a question listed there but with no field
 * posted (every box unticked) as cleared, and leaves every question not listed alone.
 */
(function () {
  "use strict";
  var form = document.getElementById("section-form");
  if (!form || !form.dataset.autosave || !window.fetch || !window.FormData) return;
  var status = document.getElementById("autosave-status");
  var base = form.querySelector('input[name="_base"]');
  var DELAY = 3000; // ms after the last keystroke
  var timer = null;
  var edits = 0; // input events seen
  var savedEdits = 0; // input events covered by the last successful save
  var inFlight = false;
  var again = false;
  var submitting = false;

  function say(text, link) {
    if (!status) return;
    status.textContent = text;
    if (link) {
      var a = document.createElement("a");
      a.href = link;
      a.textContent = form.dataset.msgConflictLink;
      status.appendChild(document.createTextNode(" "));
      status.appendChild(a);
    }
  }

  var changed = {}; // item id -> true: questions changed since the last successful save

  // The question a field answers: field names start with the item id, and item ids never
  // contain "__" (see monitor/submissions/forms.py).
  function itemOf(name) {
    return name ? name.split("__")[0] : "";
  }

  function body(items) {
    var all = new FormData(form);
    var data = new FormData();
    all.forEach(function (value, name) {
      if (typeof value !== "string") return; // a File: left to the Save buttons
      if (name === "csrf_token" || name === "_base" || name === "_page" ||
          items.indexOf(itemOf(name)) >= 0) {
        data.append(name, value);
      }
    });
    data.append("_items", items.join(","));
    return data;
  }

  function save(keepalive) {
    if (timer) { clearTimeout(timer); timer = null; }
    if (submitting || edits === savedEdits) return;
    if (inFlight) { again = true; return; }
    inFlight = true;
    var covered = edits;
    var items = Object.keys(changed);
    changed = {};
    function unsent() { // put back what this save did not save, for the next one
      items.forEach(function (id) { changed[id] = true; });
    }
    var options = {
      method: "POST",
      body: body(items),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
    };
    if (keepalive) options.keepalive = true;
    var request;
    try {
      request = fetch(form.dataset.autosave, options);
    } catch (e) { // keepalive refuses bodies above 64 KB: try without it
      delete options.keepalive;
      request = fetch(form.dataset.autosave, options);
    }
    request.then(function (response) {
      return response.json().then(function (json) {
        return { code: response.status, json: json };
      }, function () { return { code: response.status, json: {} }; });
    }).then(function (r) {
      if (r.json.base && base) base.value = JSON.stringify(r.json.base);
      if (r.code === 200) {
        savedEdits = covered;
        say(form.dataset.msgSaved.replace("{time}", r.json.saved_at || ""));
      } else if (r.code === 409) {
        savedEdits = covered;
        say(form.dataset.msgConflict, r.json.url);
      } else if (r.code === 401) {
        unsent();
        say(form.dataset.msgLogin);
      } else {
        unsent();
        say(form.dataset.msgFailed);
      }
    }, function () {
      unsent();
      say(form.dataset.msgFailed);
    }).then(function () {
      inFlight = false;
      if (again) { again = false; save(false); }
    });
  }

  function typed(event) {
    var id = itemOf(event.target && event.target.name);
    if (!id || id === "_base" || id === "_page" || id === "csrf_token") return;
    changed[id] = true;
    edits += 1;
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { save(false); }, DELAY);
  }

  form.addEventListener("input", typed);
  form.addEventListener("change", typed);
  form.addEventListener("submit", function () {
    // the Save buttons post everything themselves
    submitting = true;
    if (timer) { clearTimeout(timer); timer = null; }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") save(true);
  });
  window.addEventListener("pagehide", function () { save(true); });
})();
