// The company's messages (F-H2): the modal window «1 из N» after sign-in and the bars at the top.
// Without JavaScript every message shows with its own buttons, which post and come back to the page.
(function () {
  "use strict";
  if (window.energokabinetNotifications) return; // included by both the bars and the modal
  window.energokabinetNotifications = true;

  var csrf = function (form) { return form.querySelector("input[name=csrfmiddlewaretoken]").value; };
  var post = function (form) {
    return fetch(form.action, {
      method: "POST",
      headers: { "X-CSRFToken": csrf(form), Accept: "application/json" },
      body: new FormData(form),
      credentials: "same-origin",
    });
  };

  // «Модальное окно»: one message at a time, «Назад» / «Вперед», «Подтвердить» closes the current one.
  document.querySelectorAll("[data-announcements]").forEach(function (dialog) {
    var slides = Array.prototype.slice.call(dialog.querySelectorAll("[data-slide]"));
    var pager = dialog.querySelector("[data-pager]");
    var counter = dialog.querySelector("[data-counter]");
    var current = 0;
    var show = function (index) {
      current = Math.max(0, Math.min(index, slides.length - 1));
      slides.forEach(function (slide, i) { slide.hidden = i !== current; });
      if (pager) {
        pager.hidden = slides.length < 2;
        counter.textContent = counter.dataset.format.replace("__N__", current + 1).replace(/\d+$/, slides.length);
        pager.querySelector("[data-prev]").disabled = current === 0;
        pager.querySelector("[data-next]").disabled = current === slides.length - 1;
      }
      var title = slides[current] && slides[current].querySelector(".modal__title");
      if (title) { dialog.setAttribute("aria-labelledby", title.id); }
    };
    if (pager) {
      pager.querySelector("[data-prev]").addEventListener("click", function () { show(current - 1); });
      pager.querySelector("[data-next]").addEventListener("click", function () { show(current + 1); });
    }
    dialog.querySelectorAll("[data-confirm-form]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        post(form).then(function () {
          var slide = form.closest("[data-slide]");
          slides.splice(slides.indexOf(slide), 1);
          slide.remove();
          if (!slides.length) {
            dialog.close();
            dialog.remove();
            document.dispatchEvent(new CustomEvent("announcements:closed"));
          } else {
            show(current);
          }
        }).catch(function () { form.submit(); });
      });
    });
    // The page opens it with `open`; reopen as a real modal so focus stays inside and Escape does not drop it.
    dialog.close();
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); });
    dialog.showModal();
    show(0);
  });

  // «Уведомление в топе»: «×» closes the bar at once and tells the server.
  document.querySelectorAll("[data-top-bar] [data-dismiss-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var bar = form.closest("[data-top-bar]");
      post(form).then(function () { bar.remove(); }).catch(function () { form.submit(); });
    });
  });

  // A dialog the page opened (the order confirmation): «Закрыть» and Escape close it without a reload.
  document.querySelectorAll("dialog[data-modal]").forEach(function (dialog) {
    dialog.close();
    dialog.showModal();
    dialog.querySelectorAll("[data-modal-close]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        dialog.close();
        history.replaceState(null, "", link.getAttribute("href"));
      });
    });
  });
})();
