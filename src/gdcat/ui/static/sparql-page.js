/* The SPARQL page: YASQE (vendored, see VENDORED.md) over the form's text area, and examples
   that load into the editor with one click (Ctrl-Enter runs the query). Running it submits the
   form: the server answers the page with the table. Without this script the text area is the
   editor, and an example's link runs its query. */
(function () {
  "use strict";
  var editor = null;

  function start() {
    var area = document.querySelector("textarea#query");
    if (!area || area.dataset.editor === "on" || typeof Yasqe === "undefined") {
      return;
    }
    area.dataset.editor = "on";
    var holder = document.createElement("div");
    area.parentNode.insertBefore(holder, area.nextSibling);
    editor = new Yasqe(holder, {
      value: area.value,
      persistenceId: null,
      consumeShareLink: null,
      createShareableLink: null,
      showQueryButton: false,
      resizeable: false,
      editorHeight: "auto",
      viewportMargin: Infinity,
      autocompleters: ["variables", "prefixes"],
      screenReaderLabel: area.dataset.label || "SPARQL query",
      extraKeys: {
        "Ctrl-Enter": function () { submit(area.form); },
        "Cmd-Enter": function () { submit(area.form); },
        Tab: false,
        "Shift-Tab": false
      }
    });
    area.classList.add("replaced");
    editor.on("change", function () { area.value = editor.getValue(); });
    var label = document.getElementById("query-label");
    if (label) {
      label.addEventListener("click", function () { editor.focus(); });
    }
  }

  function submit(form) {
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.example");
    if (!link || !editor || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;  // without the editor, the link runs the query
    }
    event.preventDefault();
    editor.setValue(link.dataset.query);
    var area = document.querySelector("textarea#query");
    if (area) {
      area.value = link.dataset.query;
    }
    editor.focus();
    editor.getWrapperElement().scrollIntoView({ block: "nearest" });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
