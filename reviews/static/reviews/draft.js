// Unsent review text is kept in this browser, so closing the tab or losing the
// connection never loses what a student typed. <form data-draft-key="…"> opts in.
// The draft is dropped once the server shows a newer save than the one the
// draft was submitted against (data-saved-at changes); no clocks are compared.
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-key]");
  if (!form) return;
  var store;
  try { store = window.localStorage; } catch (e) { return; }
  if (!store) return;
  var key = "seminar-draft:" + form.getAttribute("data-draft-key");
  var fields = Array.prototype.slice.call(form.querySelectorAll("textarea"));
  var draft = null;
  try { draft = JSON.parse(store.getItem(key) || "null"); } catch (e) { draft = null; }
  var savedAt = form.getAttribute("data-saved-at") || "";

  if (draft && draft.submitted && draft.before !== savedAt) {
    store.removeItem(key);
    draft = null;
  }

  function save(submitted) {
    var values = {};
    fields.forEach(function (f) { values[f.name] = f.value; });
    try { store.setItem(key, JSON.stringify({ values: values, submitted: !!submitted, before: savedAt })); } catch (e) { /* full */ }
  }

  if (draft && draft.values) {
    var differs = fields.some(function (f) {
      var v = draft.values[f.name];
      return typeof v === "string" && v.trim() !== "" && v !== f.value;
    });
    if (differs) {
      var note = document.createElement("div");
      note.className = "alert alert-info d-flex align-items-center gap-2";
      note.setAttribute("role", "status");
      var text = document.createElement("span");
      text.textContent = "This browser kept text you had not submitted.";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-primary ms-auto";
      button.textContent = "Restore it";
      button.addEventListener("click", function () {
        fields.forEach(function (f) {
          var v = draft.values[f.name];
          if (typeof v === "string") f.value = v;
        });
        note.remove();
      });
      note.appendChild(text);
      note.appendChild(button);
      form.parentNode.insertBefore(note, form);
    }
  }

  form.addEventListener("input", function () { save(false); });
  form.addEventListener("submit", function () { save(true); });
})();
