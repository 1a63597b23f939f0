// The describe form's draft (/describe): kept in this browser's localStorage as the form's
// fields, offered back on the next visit to a blank form; restoring posts the draft to the
// server, which renders the form from it (as it renders any posted form). No inline script:
// see the Content-Security-Policy. Checking as you type is htmx's (hx-post on the form).
(function () {
  "use strict";
  var KEY = "gdcat.describe.draft";
  var SKIP = { csrf_token: true, add: true };

  function store() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function fields(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && !SKIP[name] && value !== "") { pairs.push([name, value]); }
    });
    return pairs;
  }

  function save(form) {
    var s = store();
    if (!s) { return; }
    var pairs = fields(form);
    var meaningful = pairs.some(function (p) { return p[0] !== "profile" && !/\.lang$/.test(p[0]); });
    if (meaningful) {
      s.setItem(KEY, JSON.stringify({ saved: new Date().toISOString(), fields: pairs }));
    }
  }

  function restore(form, draft) {
    var post = document.createElement("form");
    post.method = "post";
    post.action = form.getAttribute("action");
    post.hidden = true;
    draft.fields.forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      post.appendChild(input);
    });
    document.body.appendChild(post);
    post.submit();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("describe-form");
    var s = store();
    if (!form || !s) { return; }
    if (document.getElementById("outcome")) { s.removeItem(KEY); }
    var timer = null;
    var later = function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { save(form); }, 500);
    };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    var raw = s.getItem(KEY);
    var offer = document.getElementById("draft-restore");
    if (!raw || !offer || form.getAttribute("data-blank") !== "true") { return; }
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { s.removeItem(KEY); return; }
    if (!draft || !Array.isArray(draft.fields)) { return; }
    offer.hidden = false;
    document.getElementById("draft-restore-button").addEventListener("click", function () {
      restore(form, draft);
    });
    document.getElementById("draft-discard-button").addEventListener("click", function () {
      s.removeItem(KEY);
      offer.hidden = true;
    });
  });
})();
