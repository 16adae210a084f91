// Sortable tables: <table data-sortable> with <button class="sort-button" data-sort-type="num|text">
// in the header cells. Cells may carry data-sort="value" (else their text is used).
// Clicking a heading sorts the body rows; clicking again reverses. No inline script (CSP).
(function () {
  "use strict";
  function cellValue(row, index, type) {
    var cell = row.children[index];
    if (!cell) return type === "num" ? -Infinity : "";
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
    if (type === "num") {
      var n = parseFloat(raw);
      return isNaN(n) ? -Infinity : n;
    }
    return raw.trim().toLowerCase();
  }
  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    var body = table.tBodies[0];
    table.querySelectorAll("thead .sort-button").forEach(function (button) {
      var th = button.closest("th");
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var index = Array.prototype.indexOf.call(th.parentNode.children, th);
        var type = button.getAttribute("data-sort-type") || "text";
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("thead th").forEach(function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index, type), y = cellValue(b, index, type);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
