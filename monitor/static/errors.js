/* Error summaries (issue 4, point 10; the GOV.UK error summary pattern).
 *
 * On a page with an error summary, the summary gets the keyboard focus, so that a screen
 * reader announces it and Tab continues from its links; when the address names a field
 * (a link from "Check your answers" to a section), that field gets the focus instead.
 * A link of the summary moves the focus to its field (the first control of a question
 * made of several: radios, boxes, table cells) with the question's label or legend in
 * view, where a plain fragment link would only scroll.
 */
(function () {
  "use strict";
  var CONTROLS = "input:not([type=hidden]), textarea, select";

  function focusField(id) {
    var el = id && document.getElementById(id);
    if (!el) return false;
    var control = el.matches(CONTROLS) ? el : el.querySelector(CONTROLS);
    var question = el.closest(".question, fieldset") || el;
    if (!control) return false;
    control.focus({ preventScroll: true });
    question.scrollIntoView();
    return document.activeElement === control;
  }

  var summary = document.getElementById("error-summary");
  var named = "";
  try {
    named = decodeURIComponent(window.location.hash.slice(1));
  } catch (e) { /* a malformed fragment names nothing */ }
  function initial() {
    if (!(named && focusField(named)) && summary) summary.focus();
  }
  initial();
  // Chromium moves the focus back to the body when it scrolls to the address's fragment
  // after loading (the target is not focusable itself): focus again, unless the
  // respondent has moved on already
  window.addEventListener("load", function () {
    window.setTimeout(function () {
      if (!document.activeElement || document.activeElement === document.body) initial();
    }, 0);
  });
  if (!summary) return;
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a");
    var href = link && link.getAttribute("href");
    if (!href || href.charAt(0) !== "#") return;
    // the address keeps no fragment: it would follow the form's redirects to other pages
    if (focusField(decodeURIComponent(href.slice(1)))) event.preventDefault();
  });
})();
