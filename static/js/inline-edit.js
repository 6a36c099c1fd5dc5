// «Изменить» in «Личные данные»: the value turns into its form in place, «Отменить» turns it back.
// Without JavaScript the same link opens the page with that form open (?edit=…), so nothing depends on this.
(function () {
  "use strict";

  document.querySelectorAll("[data-inline-edit]").forEach(function (row) {
    var view = row.querySelector("[data-inline-view]");
    var form = row.querySelector("[data-inline-form]");
    var open = row.querySelector("[data-inline-open]");
    var cancel = row.querySelector("[data-inline-cancel]");
    if (!view || !form || !open || !cancel) return;

    open.addEventListener("click", function (event) {
      event.preventDefault();
      view.hidden = true;
      form.hidden = false;
      var first = form.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
    });

    cancel.addEventListener("click", function (event) {
      event.preventDefault();
      form.reset();
      form.hidden = true;
      view.hidden = false;
      open.focus();
    });
  });
})();
