// The ranking page (claims/preferences_views.py): Up, Down, Add and Remove move rows in the
// page instead of posting, and the rank boxes are renumbered; Alt+ArrowUp / Alt+ArrowDown in
// a rank box move its row. Nothing is saved until "Save ranking" (the page works the same
// without this script: every button posts the form).
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
  }

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
