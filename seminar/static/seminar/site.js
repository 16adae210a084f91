// Countdowns: <span class="countdown" data-due="2025-11-04T07:59:00Z">…</span>
// The server renders the due time; this only keeps the "in 2 h 14 min" text fresh.
(function () {
  "use strict";
  // The same wording as the server's courses.timing.humanize_delta.
  function human(seconds) {
    var s = Math.abs(Math.floor(seconds));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d) return h ? d + " d " + h + " h" : d + " d";
    if (h) return m ? h + " h " + m + " min" : h + " h";
    if (m) return m + " min";
    return (s % 60) + " s";
  }
  function tick(root, now) {
    now = now || Date.now();
    (root || document).querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) return;
      var left = (due - now) / 1000;
      el.textContent = left >= 0 ? "in " + human(left) : human(left) + " ago";
      el.classList.toggle("text-danger", left >= 0 && left < 86400);
    });
  }
  tick();
  setInterval(function () { tick(); }, 30000);

  // Django masks the CSRF token differently in every response; ignore it when deciding
  // whether the content changed, or every refresh would replace the buttons under the cursor.
  function comparable(html) {
    return html.replace(/name="csrfmiddlewaretoken" value="[^"]*"/g, "");
  }

  // Someone is using the box: anything in it with focus, a field with something typed in it, or an
  // opened <details> (staff's "Move or remove"). A refresh then would throw that away.
  function inUse(box) {
    var active = document.activeElement;
    // Anything focused inside (a keyboard user on a Claim button): replacing it would
    // throw the focus back to the top of the page.
    // (A skip link's target, tabindex="-1", takes focus on a click too: it is not in use.)
    if (active && box.contains(active) && active.matches(
      "a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])"
    )) return true;
    if (box.querySelector("details[open]")) return true;
    return Array.prototype.some.call(box.querySelectorAll("input, textarea, select"), function (field) {
      if (field.type === "hidden" || field.type === "submit") return false;
      if (field.tagName === "SELECT") {
        var initial = 0;  // a select without a selected="" option starts on its first
        Array.prototype.forEach.call(field.options, function (o, i) { if (o.defaultSelected) initial = i; });
        return field.selectedIndex !== initial;
      }
      if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
      return field.value !== field.defaultValue;
    });
  }

  // Auto-refresh: <div data-refresh-url="…" data-refresh-seconds="10">…</div> swaps in the
  // same element from a fresh copy of the page. Without JavaScript a reload does the same.
  document.querySelectorAll("[data-refresh-url]").forEach(function (box) {
    var every = parseInt(box.getAttribute("data-refresh-seconds") || "10", 10) * 1000;
    setInterval(function () {
      if (document.hidden || inUse(box)) return;
      fetch(box.getAttribute("data-refresh-url"), { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) return;
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById(box.id);
          if (!fresh || inUse(box)) return;
          // Countdowns on both sides read the same instant, so only real changes differ.
          var now = Date.now();
          tick(box, now);
          tick(fresh, now);
          if (comparable(fresh.innerHTML) !== comparable(box.innerHTML)) box.innerHTML = fresh.innerHTML;
        })
        .catch(function () {});
    }, every);
  });

  // Confirmation for destructive buttons: <button data-confirm="Withdraw your claim?">
  document.addEventListener("submit", function (ev) {
    var btn = ev.submitter;
    if (btn && btn.getAttribute("data-confirm") && !window.confirm(btn.getAttribute("data-confirm"))) {
      ev.preventDefault();
    }
  });
})();
