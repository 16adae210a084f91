// Seminar admin: names for the admin's search-as-you-type boxes (select2), which show
// a text box with no name of its own. The name comes from the <select> they stand for:
// its aria-label (rows of a table, see courses/admin/labels.py) or its <label>.
(function () {
  "use strict";
  function nameOf(select) {
    if (select.getAttribute("aria-label")) return select.getAttribute("aria-label");
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }
  function nameBoxes() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var box = select.nextElementSibling;
      if (!box || !box.classList.contains("select2")) return;
      var name = nameOf(select);
      if (!name) return;
      box.querySelectorAll(".select2-selection, .select2-selection__rendered").forEach(
        function (el) { el.setAttribute("aria-label", name); }
      );
    });
  }
  // Select2 draws its boxes after page load and for every inline row added: name them
  // whenever the page grows.
  var pending = false;
  new MutationObserver(function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; nameBoxes(); });
  }).observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener("load", nameBoxes);

  // The grading view opens on its first box. A framed PDF (Chrome's viewer) takes the
  // focus when it loads, possibly while the grader is typing: focus that moves into the
  // frame without the pointer over it or a Tab key goes back where it was.
  var lastFocused = null, pointerOverFrame = false, lastTab = 0;
  document.addEventListener("focusin", function (ev) {
    if (!ev.target.matches("iframe")) lastFocused = ev.target;
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Tab") lastTab = Date.now();
  }, true);
  document.querySelectorAll("iframe.grade-pdf").forEach(function (frame) {
    frame.addEventListener("mouseenter", function () { pointerOverFrame = true; });
    frame.addEventListener("mouseleave", function () { pointerOverFrame = false; });
  });
  function keepFocus() {
    var active = document.activeElement;
    if (!active || !active.matches("iframe.grade-pdf")) return;
    if (pointerOverFrame || Date.now() - lastTab < 500) return;  // the grader went there
    var back = lastFocused || document.querySelector("form[data-grade-form] [autofocus]");
    if (back) back.focus();
  }
  window.addEventListener("blur", function () { window.setTimeout(keepFocus, 0); });
  window.addEventListener("load", keepFocus);

  // A rubric's criteria: the points box (not typed: the server adds them up) shows their
  // sum as the grader types, in hundredths to avoid float noise.
  function rubricSum() {
    var form = document.querySelector("form[data-grade-form]");
    var boxes = form ? form.querySelectorAll('input[name^="criterion_"]') : [];
    var points = form && form.querySelector('input[name="points"]');
    if (!boxes.length || !points) return;
    var total = 0, any = false;
    boxes.forEach(function (box) {
      var value = parseFloat(box.value);
      if (!isNaN(value)) { total += Math.round(value * 100); any = true; }
    });
    points.value = any ? String(total / 100) : "";
  }
  document.addEventListener("input", function (ev) {
    if (ev.target.matches('form[data-grade-form] input[name^="criterion_"]')) rubricSum();
  });
  window.addEventListener("load", rubricSum);

  // The grading view: Ctrl+Enter saves and goes to the next review; Alt+arrows move.
  document.addEventListener("keydown", function (ev) {
    var form = document.querySelector("form[data-grade-form]");
    if (!form) return;
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      form.requestSubmit(form.querySelector('[name="save_next"]'));
    } else if (ev.altKey && (ev.key === "ArrowRight" || ev.key === "ArrowLeft")) {
      var link = document.querySelector(ev.key === "ArrowRight" ? "a[rel=next]" : "a[rel=prev]");
      if (link) { ev.preventDefault(); window.location.href = link.href; }
    }
  });
})();
