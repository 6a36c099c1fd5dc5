// «Отправить ещё раз через 0:58»: counts down on the button and enables it when a new code may be sent.
// The server enforces the same minute; this only saves a useless click. Works per [data-resend-timer] button.
(function () {
  "use strict";

  function clock(seconds) {
    var rest = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  document.querySelectorAll("[data-resend-timer]").forEach(function (button) {
    var until = Date.now() + parseInt(button.dataset.seconds || "0", 10) * 1000;
    var tick = function () {
      var left = Math.ceil((until - Date.now()) / 1000);
      if (left > 0) {
        button.disabled = true;
        button.textContent = button.dataset.waitLabel + " " + clock(left);
        setTimeout(tick, 250);
      } else {
        button.disabled = false;
        button.textContent = button.dataset.readyLabel;
      }
    };
    tick();
  });
})();
