// Unsent review text is kept in this browser, so closing the tab or losing the
// connection never loses what a student typed. <form data-draft-key="…"> opts in.
// The draft is dropped once the server shows a newer save than the one the
// draft was submitted against (data-saved-at changes); no clocks are compared.
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-key]");
  if (!form) return;

  // The live word count beside each answer: guidance, never a block on submitting.
  Array.prototype.forEach.call(form.querySelectorAll("[data-count-for]"), function (counter) {
    var field = document.getElementById(counter.getAttribute("data-count-for"));
    var shown = counter.querySelector(".word-count-n");
    if (!field || !shown) return;
    var min = parseInt(counter.getAttribute("data-min") || "0", 10);
    var max = parseInt(counter.getAttribute("data-max") || "0", 10);
    function update() {
      var n = field.value.trim() ? field.value.trim().split(/\s+/).length : 0;
      shown.textContent = n + (n === 1 ? " word" : " words");
      counter.classList.toggle("text-warning-emphasis", n > 0 && ((min && n < min) || (max && n > max)));
    }
    field.addEventListener("input", update);
    update();
  });

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
          f.dispatchEvent(new Event("input", { bubbles: true }));
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
