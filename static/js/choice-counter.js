// «0 энергообъектов»: the counter under a list of checkboxes follows the ticks (seed 001 рис. 111).
(function () {
  "use strict";

  function plural(n, forms) {
    var mod10 = n % 10, mod100 = n % 100;
    if (mod10 === 1 && mod100 !== 11) return forms[0];
    if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return forms[1];
    return forms[2];
  }

  document.querySelectorAll("[data-counter]").forEach(function (group) {
    var text = group.querySelector("[data-counter-text]");
    var forms = text.getAttribute("data-forms").split(",");
    var update = function () {
      var n = group.querySelectorAll("input[type=checkbox]:checked").length;
      text.querySelector("[data-counter-value]").textContent = n;
      text.querySelector("[data-counter-word]").textContent = plural(n, forms);
    };
    group.addEventListener("change", update);
  });
})();
