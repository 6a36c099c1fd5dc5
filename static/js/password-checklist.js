// «Требования к паролю»: each rule of the checklist ticks as the password is typed.
// The same rules are enforced on the server (selfservice/password_validation.py, PASSWORD_RULES).
(function () {
  "use strict";

  var RULES = {
    latin: function (value) { return !/(?![A-Za-z])\p{L}/u.test(value); },
    length: function (value) { return Array.from(value).length >= 8; },
    upper: function (value) { return /[A-Z]/.test(value); },
    lower: function (value) { return /[a-z]/.test(value); },
    digit: function (value) { return /[0-9]/.test(value); },
    nospace: function (value) { return !/\s/.test(value); }
  };
  var MET = "— выполнено";
  var UNMET = "— не выполнено";

  document.querySelectorAll("[data-password-checklist]:not([data-ready])").forEach(function (checklist) {
    var input = document.getElementById(checklist.dataset.for);
    if (!input) return;
    checklist.setAttribute("data-ready", "");
    var items = checklist.querySelectorAll("[data-rule]");
    var update = function () {
      var value = input.value;
      items.forEach(function (item) {
        var met = value !== "" && RULES[item.dataset.rule](value);
        item.classList.toggle("is-met", met);
        item.querySelector("[data-rule-state]").textContent = met ? MET : UNMET;
      });
    };
    input.addEventListener("input", update);
    if (input.value) update();  // a browser that restored the field
  });
})();
