// «Оплата» and «Реквизиты оплаты»: small enhancements; every form works without them.
(function () {
  "use strict";

  var money = function (value) {
    var fixed = Math.abs(value).toFixed(2).split(".");
    var whole = fixed[0].replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
    return (value < 0 ? "\u2212" : "") + whole + "," + fixed[1] + "\u00a0₽";
  };

  // «Все документы» ticks every row; «К оплате» follows the ticked rows (seed 001 §4.1, рис. 8).
  document.querySelectorAll("[data-pay-form]").forEach(function (form) {
    var all = form.querySelector("[data-select-all]");
    var rows = Array.prototype.slice.call(form.querySelectorAll('input[name="documents"]'));
    var total = form.querySelector("[data-pay-total]");
    var submit = form.querySelector('button[type="submit"]');
    if (!rows.length) return;
    var label = form.querySelector("[data-select-all-label]");
    if (label) label.hidden = false;
    var update = function () {
      var sum = 0, ticked = 0;
      rows.forEach(function (row) {
        if (row.checked) { sum += parseFloat(row.dataset.amount); ticked += 1; }
      });
      if (total) total.textContent = money(sum);
      if (all) {
        all.checked = ticked === rows.length;
        all.indeterminate = ticked > 0 && ticked < rows.length;
      }
      if (submit) submit.disabled = ticked === 0;
    };
    if (all) {
      all.addEventListener("change", function () {
        rows.forEach(function (row) { row.checked = all.checked; });
        update();
      });
    }
    rows.forEach(function (row) { row.addEventListener("change", update); });
    update();
  });

  // «Сохранить карту» only makes sense for a new card.
  var method = document.querySelector('select[name="method"]');
  var saveCard = document.querySelector("[data-show-for-new-card]");
  if (method && saveCard) {
    var toggle = function () { saveCard.hidden = method.value !== "new"; };
    method.addEventListener("change", toggle);
    toggle();
  }
})();
