// hoithi, every page: asks before a form that says `data-confirm` is sent
// (or before the button pressed, when the button says it).
// (The Content-Security-Policy allows no inline handlers, so this lives here.)
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var button = e.submitter;
    var question = (button && button.getAttribute("data-confirm")) ||
      (form && form.getAttribute && form.getAttribute("data-confirm"));
    if (question && !window.confirm(question)) e.preventDefault();
  });
})();

// A select that says `data-filter` gets a box above it that narrows its
// options as one types (diacritics ignored: "le loi" finds "Lê Lợi").
(function () {
  "use strict";
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }
  var selects = document.querySelectorAll("select[data-filter]");
  Array.prototype.forEach.call(selects, function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.placeholder = "Gõ để tìm…";
    box.setAttribute("aria-label", "Tìm trong danh sách");
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var q = fold(box.value.trim());
      Array.prototype.forEach.call(select.options, function (o) {
        o.hidden = q !== "" && o.value !== "" && fold(o.text).indexOf(q) < 0;
      });
    });
  });
})();

// Figures that say `data-live` (a round's page for its organizer) refresh
// themselves every 15 seconds while the page is visible, from the JSON the
// attribute names; without JavaScript the page says to reload.
(function () {
  "use strict";
  var box = document.querySelector("[data-live]");
  if (!box || !window.fetch) return;
  var note = document.querySelector("[data-live-note]");
  function thousands(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }
  function refresh() {
    if (document.hidden) return;
    fetch(box.getAttribute("data-live"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (live) {
        Array.prototype.forEach.call(box.querySelectorAll("[data-live-field]"), function (dd) {
          var v = live[dd.getAttribute("data-live-field")];
          if (typeof v === "number") dd.textContent = thousands(v);
        });
        if (note) {
          var t = new Date();
          var pad = function (x) { return (x < 10 ? "0" : "") + x; };
          note.textContent = "Tự cập nhật mỗi 15 giây; lần cuối lúc " +
            pad(t.getHours()) + ":" + pad(t.getMinutes()) + ":" + pad(t.getSeconds()) + ".";
        }
      })
      .catch(function () {
        if (note) note.textContent = "Chưa cập nhật được số liệu; sẽ thử lại sau 15 giây.";
      });
  }
  if (note) note.textContent = "Tự cập nhật mỗi 15 giây.";
  window.setInterval(refresh, 15000);
})();

// Every password box gets a "Hiện mật khẩu" button under it that shows
// what was typed and hides it again (a generated password such as
// k7mq-3xz9-pw4h is easier to copy from paper when one sees it).
(function () {
  "use strict";
  var boxes = document.querySelectorAll("input[type='password']");
  Array.prototype.forEach.call(boxes, function (input, i) {
    if (!input.id) input.id = "password-" + i;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "reveal-toggle";
    button.setAttribute("aria-controls", input.id);
    button.setAttribute("aria-pressed", "false");
    button.textContent = "Hiện mật khẩu";
    // After the label, so the box's name stays the label's text alone.
    var anchor = input.closest("label") || input;
    anchor.parentNode.insertBefore(button, anchor.nextSibling);
    button.addEventListener("click", function () {
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      button.setAttribute("aria-pressed", show ? "true" : "false");
      button.textContent = show ? "Ẩn mật khẩu" : "Hiện mật khẩu";
      input.focus();
    });
  });
})();
