// The grades page's what-if: the engine's arithmetic (grading/engine.py) redone in the
// browser on exact fractions (BigInt), from the sums the page carries in #what-if-data.
// Nothing is sent anywhere; the Content-Security-Policy allows this file (no inline script).
(function () {
  "use strict";
  var form = document.getElementById("what-if");
  var data = document.getElementById("what-if-data");
  var out = document.getElementById("what-if-result");
  if (!form || !data || !out) return;
  data = JSON.parse(data.textContent);

  // A fraction n/d of BigInts, d > 0.
  function frac(n, d) { return { n: n, d: d === undefined ? 1n : d }; }
  function dec(text) {  // "12.50" -> 1250/100, exactly
    var s = String(text).trim(), neg = s[0] === "-";
    if (neg) s = s.slice(1);
    var parts = s.split("."), places = parts[1] ? parts[1].length : 0;
    var n = BigInt(parts[0] + (parts[1] || "")) * (neg ? -1n : 1n);
    return frac(n, 10n ** BigInt(places));
  }
  function add(a, b) { return frac(a.n * b.d + b.n * a.d, a.d * b.d); }
  function sub(a, b) { return frac(a.n * b.d - b.n * a.d, a.d * b.d); }
  function mul(a, b) { return frac(a.n * b.n, a.d * b.d); }
  function div(a, b) { return b.n < 0n ? frac(-a.n * b.d, a.d * -b.n) : frac(a.n * b.d, a.d * b.n); }
  function isZero(a) { return a.n === 0n; }
  var ZERO = frac(0n), ONE = frac(1n), HUNDRED = frac(100n);

  // Half up to two decimals, as the engine's round2; returns hundredths as a BigInt.
  function cents(a) {
    var n = a.n * 100n, d = a.d;
    return n >= 0n ? (2n * n + d) / (2n * d) : -((2n * -n + d) / (2n * d));
  }
  function show(c) {
    var neg = c < 0n, v = neg ? -c : c, whole = v / 100n, rest = (v % 100n).toString();
    return (neg ? "-" : "") + whole + "." + (rest.length < 2 ? "0" + rest : rest);
  }
  function letter(p) {
    var c = cents(p);
    for (var i = 0; i < data.scale.length; i++) {
      if (c >= cents(dec(data.scale[i][1]))) return [data.scale[i][0], c];
    }
    return [data.scale[data.scale.length - 1][0], c];
  }
  function typedFor(id) {
    var h = ZERO, p = ZERO;
    form.querySelectorAll('input[data-component="' + id + '"]').forEach(function (input) {
      var v = input.value.trim();
      if (v === "" || !/^\d+(\.\d+)?$/.test(v)) return;
      var points = dec(v), possible = dec(input.dataset.possible);
      if (cents(sub(possible, points)) < 0n) points = possible;  // at most full marks
      h = add(h, points);
      p = add(p, possible);
    });
    return { points: h, possible: p };
  }

  function compute() {
    var W = ZERO, weighted = ZERO, bonus = ZERO, floor = ZERO, ceiling = ZERO, any = false;
    // One source's sums with what was typed for it: its current, floor and ceiling.
    function fractions(c) {
      var t = typedFor(c.id);
      var earned = add(dec(c.earned), t.points), counted = add(dec(c.counted), t.possible);
      var open = sub(dec(c.open), t.possible), total = dec(c.total);
      return {
        earned: earned, counted: counted, open: open,
        current: isZero(counted) ? null : div(earned, counted),
        low: isZero(total) ? ZERO : div(earned, total),
        high: isZero(total) ? ONE : div(add(earned, open), total)
      };
    }
    // Several sources: the parts combined by their weights inside (engine.CombinedScore).
    function combined(c) {
      var inside = ZERO, current = ZERO, low = ZERO, high = ZERO;
      c.parts.forEach(function (part) {
        var f = fractions(part), w = dec(part.weight);
        if (f.current) { inside = add(inside, w); current = add(current, mul(w, f.current)); }
        low = add(low, mul(w, f.low));
        high = add(high, mul(w, f.high));
      });
      return {
        current: isZero(inside) ? null : div(current, inside),
        low: div(low, HUNDRED), high: div(high, HUNDRED)
      };
    }
    data.components.forEach(function (c) {
      var w = dec(c.weight), f = c.parts ? combined(c) : fractions(c);
      var current = f.current, low, high;
      if (c.bonus) {
        var earned = f.earned, counted = f.counted, open = f.open;
        low = current || ZERO;
        var all = add(counted, open);
        high = isZero(all) ? ZERO : div(add(earned, open), all);
        bonus = add(bonus, mul(w, low));
      } else {
        low = f.low;
        high = f.high;
        if (current) { W = add(W, w); weighted = add(weighted, mul(w, current)); any = true; }
      }
      floor = add(floor, mul(w, low));
      ceiling = add(ceiling, mul(w, high));
    });
    var now = any ? add(mul(div(weighted, W), HUNDRED), bonus) : null;
    return { current: now, floor: floor, ceiling: ceiling };
  }

  function render() {
    var typed = Array.prototype.some.call(form.querySelectorAll("input"), function (i) {
      return i.value.trim() !== "";
    });
    if (!typed) { out.textContent = "Type a score above to see the what-if."; return; }
    var r = compute();
    function grade(p) { var l = letter(p); return show(l[1]) + "% · " + l[0]; }
    out.textContent = "With these scores: current " + (r.current ? grade(r.current) : "—") +
      ", floor " + grade(r.floor) + ", ceiling " + grade(r.ceiling) + ". Nothing was saved.";
  }
  form.addEventListener("input", render);
  form.addEventListener("reset", function () { setTimeout(render, 0); });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); render(); });
})();
