// «изменить картинку»: a new picture for the image captcha without reloading the form
// (django-simple-captcha's refresh view answers JSON to an XMLHttpRequest-marked request).
(function () {
  "use strict";

  document.querySelectorAll("[data-captcha]").forEach(function (box) {
    var button = box.querySelector("[data-captcha-refresh]");
    var image = box.querySelector("[data-captcha-image]");
    var field = box.parentElement;
    var key = field.querySelector("input[type=hidden][name$='_0']");
    var answer = field.querySelector("input[name$='_1']");
    button.hidden = false;
    button.addEventListener("click", function () {
      fetch(button.dataset.captchaRefresh, { headers: { "X-Requested-With": "XMLHttpRequest" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          image.src = data.image_url;
          key.value = data.key;
          answer.value = "";
          answer.focus();
        });
    });
  });
})();
