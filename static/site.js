// hoithi, every page: asks before a form that says `data-confirm` is sent.
// (The Content-Security-Policy allows no inline handlers, so this lives here.)
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) e.preventDefault();
  });
})();
