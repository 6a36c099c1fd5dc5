// «Обращения»: small enhancements of the wizard; every step works without them.
(function () {
  "use strict";

  // Step 1: Раздел shows the sections of the chosen Тема, Подраздел those of the chosen Раздел; the stepper says how
  // many steps the chosen topic has. Without JavaScript every option is listed and the server checks the choice.
  document.querySelectorAll("[data-topic-form]").forEach(function (form) {
    var selects = {};
    form.querySelectorAll("[data-topic-select]").forEach(function (select) {
      selects[select.dataset.topicLevel] = select;
    });
    var stepperLabel = document.querySelector("[data-stepper] .stepper__label");
    var stepperBar = document.querySelector("[data-stepper] .stepper__bar");

    function narrow(level) {
      var parent = selects[level - 1];
      var select = selects[level];
      if (!parent || !select) return;
      var wrapper = form.querySelector('[data-topic-level-field="' + level + '"]');
      var visible = 0;
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) return;
        var fits = option.dataset.parent === parent.value && parent.value !== "";
        option.hidden = !fits;
        option.disabled = !fits;
        if (fits) visible += 1;
        if (!fits && option.selected) select.value = "";
      });
      if (wrapper) wrapper.hidden = visible === 0;
    }

    function updateSteps() {
      var chosen = null;
      [3, 2, 1].some(function (level) {
        var select = selects[level];
        if (select && select.value && !select.closest("[hidden]")) {
          chosen = select.options[select.selectedIndex];
          return true;
        }
        return false;
      });
      var total = chosen && chosen.dataset.steps;
      if (!total || !stepperLabel) return;
      stepperLabel.textContent = stepperLabel.textContent.replace(/из \d+/, "из " + total);
      if (stepperBar) stepperBar.max = Number(total);
    }

    function refresh() {
      narrow(2);
      narrow(3);
      updateSteps();
    }
    Object.keys(selects).forEach(function (level) {
      selects[level].addEventListener("change", refresh);
    });
    refresh();
  });

  // ✕ on a step: «Сохранить черновик обращения?» as a window over the step.
  document.querySelectorAll("[data-leave-dialog]").forEach(function (link) {
    var dialog = document.getElementById(link.dataset.leaveDialog);
    if (!dialog || typeof dialog.showModal !== "function") return;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      dialog.showModal();
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();
    });
  });

  // «Текст обращения»: «Осталось символов: N» as the customer types (seed 000 рис. 38).
  document.querySelectorAll("textarea[data-char-counter]").forEach(function (area) {
    var limit = Number(area.dataset.charCounter);
    var counter = document.querySelector('[data-char-counter-for="' + area.id + '"]');
    if (!counter) return;
    var template = counter.dataset.template;
    function update() {
      counter.textContent = template.replace("__N__", String(Math.max(limit - area.value.length, 0)));
    }
    area.addEventListener("input", update);
    update();
  });
})();
