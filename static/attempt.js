// hoithi attempt page: server-timed countdown, autosave with a retry queue
// (the prediction too), a live question navigator, a submit that lists
// unanswered questions, automatic submission at zero.
// Without this file the form still works, and says so: "Lưu bài" saves
// every answer, "Nộp bài" saves and submits. The texts that promise
// autosave and the countdown sit in `.js-only` elements this script reveals;
// the plain form's texts and button sit in `.nojs` elements it hides.
(function () {
  "use strict";
  var form = document.getElementById("paper");
  if (!form || !window.fetch) return;
  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
  document.querySelectorAll(".nojs").forEach(function (el) { el.hidden = true; });
  var attempt = form.dataset.attempt;
  var key = "hoithi-pending-" + attempt;
  var sync = document.getElementById("sync");
  var clock = document.getElementById("clock");
  // Submit a little before the server's deadline: the page took time to
  // arrive, and the submission takes time to travel back.
  var EARLY_MS = 1500;
  var endAt = Date.now() + Number(form.dataset.remainingMs || 0) - EARLY_MS;
  // The clock turns red in the last minute, or the last fifth of a short paper.
  var warnAt = Math.min(60, Math.ceil(Number(form.dataset.remainingMs || 0) / 5000));
  var pending = {};
  try { pending = JSON.parse(localStorage.getItem(key) || "{}"); } catch (e) { pending = {}; }
  var inflight = false, retryDelay = 1000, timer = null, finished = false;
  // "Đã lưu tất cả" only once something has been saved (now or before a reload).
  var savedAny = form.dataset.savedAny === "true";

  function say(text, cls) { sync.textContent = text; sync.className = "sync " + (cls || ""); }
  function persist() { try { localStorage.setItem(key, JSON.stringify(pending)); } catch (e) {} }
  function stateOf(pos) { var li = document.getElementById("q" + pos); return li && li.querySelector(".state"); }
  function choices(pos) {
    var out = [];
    form.querySelectorAll('input[name="q' + pos + '"]').forEach(function (i) { if (i.checked) out.push(Number(i.value)); });
    return out;
  }

  function flush() {
    if (inflight || finished) return;
    var positions = Object.keys(pending);
    if (!positions.length) { if (savedAny) say("Đã lưu tất cả câu trả lời.", "ok"); return; }
    var pos = positions[0], sent = pending[pos];
    inflight = true;
    var s = stateOf(pos); if (s) s.textContent = "Đang lưu…";
    // "p" is the prediction question, saved like an answer.
    var url = "/api/v1/attempts/" + attempt + (pos === "p" ? "/prediction" : "/items/" + pos);
    var body = pos === "p" ? { prediction: sent } : { choices: sent };
    fetch(url, {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      inflight = false;
      if (r.ok) {
        if (JSON.stringify(pending[pos]) === JSON.stringify(sent)) delete pending[pos];
        persist(); retryDelay = 1000; savedAny = true;
        if (s) s.textContent = "Đã lưu";
        flush();
      } else if (r.status === 409) {
        finished = true; localStorage.removeItem(key);
        window.location = "/attempts/" + attempt + "/result";
      } else if (r.status === 422 || r.status === 404) {
        delete pending[pos]; persist();
        return r.json().then(function (b) { if (s) s.textContent = b.error || "Không lưu được"; flush(); });
      } else if (r.status === 401) {
        say("Phiên đăng nhập đã hết: hãy đăng nhập lại ở thẻ khác, câu trả lời vẫn được giữ.", "err"); retry();
      } else { retry(); }
    }).catch(function () { inflight = false; retry(); });
  }
  function retry() {
    inflight = false;
    var n = Object.keys(pending).length;
    say("Mất kết nối — đang thử lại (" + n + " câu chưa lưu)…", "err");
    clearTimeout(timer);
    timer = setTimeout(flush, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 15000);
  }

  // The navigator: each question's link marked answered or not, and the count.
  var countEl = document.getElementById("answered-count");
  function refreshNav() {
    var items = form.querySelectorAll("li.q"), done = 0;
    items.forEach(function (li) {
      var pos = li.dataset.position, answered = choices(pos).length > 0;
      if (answered) done++;
      var a = document.querySelector('#qnav a[data-position="' + pos + '"]');
      if (!a) return;
      a.classList.toggle("done", answered);
      var vh = a.querySelector(".vh");
      if (vh) vh.textContent = answered ? " (đã trả lời)" : " (chưa trả lời)";
    });
    if (countEl) countEl.textContent = "Đã trả lời " + done + "/" + items.length;
  }

  // The prediction is saved like an answer: on change, and a moment after typing stops.
  var predictionTimer = null;
  function queuePrediction(input) {
    clearTimeout(predictionTimer);
    var v = input.value.trim();
    if (!/^\d{1,9}$/.test(v) || Number(v) > 100000000) return;
    if (pending.p === Number(v)) return;
    pending.p = Number(v);
    persist(); say("Đang lưu…", ""); flush();
  }
  form.addEventListener("input", function (e) {
    if (e.target.name !== "prediction") return;
    clearTimeout(predictionTimer);
    predictionTimer = setTimeout(function () { queuePrediction(e.target); }, 800);
  });
  // Enter in a field never submits the paper (answers save themselves);
  // in the prediction box it saves the prediction.
  form.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || e.target.tagName !== "INPUT") return;
    e.preventDefault();
    if (e.target.name === "prediction") queuePrediction(e.target);
  });

  form.addEventListener("change", function (e) {
    if (e.target.name === "prediction") { queuePrediction(e.target); return; }
    var m = /^q(\d+)$/.exec(e.target.name || "");
    if (!m) return;
    pending[m[1]] = choices(m[1]);
    persist();
    refreshNav();
    say("Đang lưu…", "");
    flush();
  });
  window.addEventListener("online", flush);

  // Answers chosen before a reload that never reached the server: put them back and send them.
  Object.keys(pending).forEach(function (pos) {
    if (pos === "p") { var p = form.querySelector('input[name="prediction"]'); if (p) p.value = pending.p; return; }
    form.querySelectorAll('input[name="q' + pos + '"]').forEach(function (i) { i.checked = pending[pos].indexOf(Number(i.value)) >= 0; });
  });
  refreshNav();
  flush();

  function unanswered() {
    var out = [];
    form.querySelectorAll("li.q").forEach(function (li) { if (!choices(li.dataset.position).length) out.push(li.dataset.position); });
    return out;
  }
  form.addEventListener("submit", function (e) {
    if (finished) return;
    var missing = unanswered();
    if (missing.length && !form.dataset.auto) {
      var box = document.getElementById("unanswered");
      box.hidden = false;
      box.textContent = "Chưa trả lời câu: " + missing.join(", ") + ".";
      if (!confirm("Bạn chưa trả lời " + missing.length + " câu (" + missing.join(", ") + "). Vẫn nộp bài?")) { e.preventDefault(); return; }
    }
    finished = true;
    localStorage.removeItem(key);
  });

  // The server's remaining time is the truth: resynchronise when the page
  // comes back (a phone that slept) and every 30 seconds.
  function resync() {
    if (finished) return;
    fetch("/api/v1/attempts/" + attempt, { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (v) {
      if (!v || finished) return;
      if (v.state !== "in_progress") {
        finished = true; localStorage.removeItem(key);
        window.location = "/attempts/" + attempt + "/result";
        return;
      }
      endAt = Date.now() + Number(v.remaining_ms) - EARLY_MS;
    }).catch(function () {});
  }
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { resync(); flush(); } });
  setInterval(resync, 30000);

  function tick() {
    // With the prediction question left empty, a submit before the deadline
    // is refused: the automatic one then waits until just after it (inside
    // the grace period), when the paper ends with what it has.
    var p = form.querySelector('input[name="prediction"]');
    var wait = p && p.value.trim() === "" ? EARLY_MS + 1000 : 0;
    var left = Math.max(0, endAt + wait - Date.now());
    var s = Math.ceil(left / 1000);
    clock.textContent = String(Math.floor(s / 60)).padStart(2, "0") + ":" + String(s % 60).padStart(2, "0");
    if (s <= warnAt) clock.className = "late";
    if (left <= 0) {
      if (!finished) {
        form.dataset.auto = "1";
        say("Hết giờ: đang nộp bài…", "");
        finished = true;
        localStorage.removeItem(key);
        // The posted form carries every answer shown, saved or not.
        HTMLFormElement.prototype.submit.call(form);
      }
      return;
    }
    setTimeout(tick, 250);
  }
  tick();
})();
