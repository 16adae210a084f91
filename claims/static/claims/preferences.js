// The ranking page (claims/preferences_views.py): Up, Down, Add and Remove move rows in the
// page instead of posting, and the rank boxes are renumbered; Alt+ArrowUp / Alt+ArrowDown in
// a rank box move its row. Nothing is saved until "Save ranking" (the page works the same
// without this script: every button posts the form). An unsaved ranking is kept in this
// browser (as reviews/draft.js keeps review text) and offered back after a closed tab or
// a lost connection; it is dropped once the page shows a newer save (data-saved-at).
(function () {
  "use strict";
  var form = document.getElementById("ranking-form");
  if (!form) return;
  var list = document.getElementById("ranking-list");
  var live = document.getElementById("ranking-live");
  var counter = document.getElementById("ranked-count");

  function rows() { return Array.prototype.slice.call(list.querySelectorAll("li[data-reading]")); }
  function box(row) { return row.querySelector(".rank-box"); }
  function was(row) { return form.querySelector('input[name="was-' + row.dataset.reading + '"]'); }
  function ranked() { return rows().filter(function (row) { return box(row).value.trim() !== ""; }); }

  function renumber() {
    var all = ranked();
    all.forEach(function (row, i) { box(row).value = String(i + 1); was(row).value = String(i + 1); });
    return refresh();
  }

  function refresh() {
    var all = ranked();
    rows().forEach(function (row) {
      var isRanked = box(row).value.trim() !== "";
      row.querySelectorAll("button[data-move]").forEach(function (button) {
        button.hidden = (button.dataset.move === "add") === isRanked;
      });
    });
    if (counter) counter.textContent = String(all.length);
    return all;
  }

  function move(row, action) {
    var all = ranked();
    var index = all.indexOf(row);
    if (action === "up" && index > 0) list.insertBefore(row, all[index - 1]);
    else if (action === "down" && index >= 0 && index < all.length - 1) list.insertBefore(all[index + 1], row);
    else if (action === "remove") {
      box(row).value = "";
      var last = all[all.length - 1];
      if (last && last !== row) list.insertBefore(row, last.nextSibling);
    } else if (action === "add") {
      box(row).value = "999999";
      var end = all[all.length - 1];
      list.insertBefore(row, end ? end.nextSibling : list.firstChild);
    }
    all = renumber();
    var rank = all.indexOf(row) + 1;
    live.textContent = "“" + row.dataset.title + "”: " +
      (rank ? "rank " + rank + " of " + all.length : "not ranked") + ". Not saved yet.";
    keep(false);
  }

  // ------------------------------------------------------------ the unsaved draft
  var store = null;
  try { store = window.localStorage; } catch (e) { store = null; }
  var key = "seminar-draft:" + form.getAttribute("data-draft-key");
  var savedAt = form.getAttribute("data-saved-at") || "";

  // What the boxes hold, in page order: [[reading id, text], ...].
  function boxes() {
    return rows().map(function (row) { return [row.dataset.reading, box(row).value]; });
  }

  function keep(submitted) {
    if (!store) return;
    try {
      store.setItem(key, JSON.stringify({ boxes: boxes(), submitted: !!submitted, before: savedAt }));
    } catch (e) { /* storage full or off: the page still works */ }
  }

  function restore(kept) {
    var anchor = list.firstChild;
    kept.forEach(function (pair) {
      var row = document.getElementById("pref-" + pair[0]);
      if (!row) return;  // a reading gone since
      box(row).value = pair[1];
      list.insertBefore(row, anchor);
      anchor = row.nextSibling;
    });
    refresh();
  }

  if (store) {
    var draft = null;
    try { draft = JSON.parse(store.getItem(key) || "null"); } catch (e) { draft = null; }
    if (draft && draft.submitted && draft.before !== savedAt) {
      store.removeItem(key);  // the server shows a newer save than the one the draft sent
      draft = null;
    }
    if (draft && draft.boxes && JSON.stringify(draft.boxes) !== JSON.stringify(boxes())) {
      var note = document.createElement("div");
      note.className = "alert alert-info d-flex flex-wrap align-items-center gap-2";
      note.setAttribute("role", "status");
      note.id = "ranking-draft";
      var text = document.createElement("span");
      text.textContent = "This browser kept a ranking you had not saved.";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-primary";
      button.textContent = "Restore it";
      button.addEventListener("click", function () {
        restore(draft.boxes);
        note.remove();
        live.textContent = "Unsaved ranking restored. Not saved yet.";
        box(ranked()[0] || rows()[0]).focus();
      });
      note.appendChild(text);
      note.appendChild(button);
      form.insertBefore(note, list);
    }
  }
  form.addEventListener("submit", function () { keep(true); });
  form.addEventListener("input", function () { keep(false); });

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-move]");
    if (!button) return;
    event.preventDefault();
    var row = button.closest("li[data-reading]");
    var action = button.dataset.move;
    move(row, action);
    var next = action === "add" ? "up" : action === "remove" ? "add" : action;
    var focus = row.querySelector('button[data-move="' + next + '"]');
    (focus && !focus.hidden ? focus : box(row)).focus();
  });

  form.addEventListener("keydown", function (event) {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    if (!event.target.classList.contains("rank-box") || event.target.value.trim() === "") return;
    event.preventDefault();
    move(event.target.closest("li[data-reading]"), event.key === "ArrowUp" ? "up" : "down");
    event.target.focus();
  });
})();
