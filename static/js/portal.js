// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // The menu button on narrow screens.
  document.querySelectorAll("[data-nav-toggle]").forEach(function (button) {
    var nav = document.getElementById(button.getAttribute("aria-controls"));
    button.addEventListener("click", function () {
      var open = nav.classList.toggle("is-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });

  // Close an open dropdown when the user clicks elsewhere or presses Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.dropdown[open]").forEach(function (details) {
      if (!details.contains(event.target)) details.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.dropdown[open]").forEach(function (details) {
      details.removeAttribute("open");
      details.querySelector("summary").focus();
    });
  });

  // Toasts: closable, and they leave by themselves after a while.
  document.querySelectorAll("[data-toast]").forEach(function (toast) {
    var close = function () { toast.remove(); };
    toast.querySelector("[data-dismiss]").addEventListener("click", close);
    setTimeout(close, 8000);
  });

  // A select that applies itself (the language switch).
  document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Move focus to the error summary so screen-reader users hear what went wrong.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();

  // Progress bars fed by a background job.
  document.querySelectorAll("[data-progress-url]").forEach(function (box) {
    var fill = box.querySelector(".progress__fill");
    var track = box.querySelector(".progress__track");
    var message = box.querySelector(".progress__message");
    var poll = function () {
      fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          fill.style.width = data.percent + "%";
          track.setAttribute("aria-valuenow", data.percent);
          if (data.message) message.textContent = data.message;
          if (data.done) {
            if (data.redirect) window.location.assign(data.redirect);
          } else {
            setTimeout(poll, 1000);
          }
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    poll();
  });
})();
