// «Быстрый старт» (seed 000 §3.12): a few hints next to the header's parts, «Далее» to the next, «×» to stop.
(function () {
  "use strict";

  var tour = document.querySelector("[data-tour]");
  if (!tour) return;
  var OFF = "energokabinet.tour-off";
  var steps = Array.prototype.slice.call(tour.querySelector("[data-tour-steps]").content.children);
  var title = tour.querySelector("[data-tour-title]");
  var text = tour.querySelector("[data-tour-text]");
  var counter = tour.querySelector("[data-tour-counter]");
  var back = tour.querySelector("[data-tour-back]");
  var next = tour.querySelector("[data-tour-next]");
  var current = 0;
  var highlighted = null;

  var visible = function (selector) {
    if (!selector) return null;
    var found = Array.prototype.slice.call(document.querySelectorAll(selector));
    return found.filter(function (el) { return el.offsetParent !== null; })[0] || null;
  };

  var place = function (target) {
    tour.classList.toggle("tour--floating", Boolean(target));
    if (!target) { tour.style.top = ""; tour.style.left = ""; return; }
    var box = target.getBoundingClientRect();
    var width = tour.offsetWidth;
    var left = Math.min(Math.max(8, box.left + window.scrollX), window.scrollX + document.documentElement.clientWidth - width - 8);
    tour.style.top = (box.bottom + window.scrollY + 10) + "px";
    tour.style.left = left + "px";
  };

  var show = function (index) {
    current = index;
    var step = steps[index];
    if (highlighted) highlighted.classList.remove("tour-target");
    highlighted = visible(step.dataset.target);
    if (highlighted) highlighted.classList.add("tour-target");
    title.textContent = step.dataset.title;
    text.textContent = step.dataset.text;
    counter.textContent = counter.dataset.format.replace("__N__", index + 1).replace("__M__", steps.length);
    back.hidden = index === 0;
    next.textContent = index === steps.length - 1 ? next.dataset.doneLabel : next.dataset.nextLabel;
    tour.hidden = false;
    place(highlighted);
    next.focus();
  };

  var stop = function () {
    tour.hidden = true;
    if (highlighted) highlighted.classList.remove("tour-target");
    try { localStorage.setItem(OFF, "1"); } catch (error) { /* private mode: the tour may come back */ }
  };

  next.addEventListener("click", function () { if (current < steps.length - 1) show(current + 1); else stop(); });
  back.addEventListener("click", function () { if (current > 0) show(current - 1); });
  tour.querySelector("[data-tour-close]").addEventListener("click", stop);
  document.addEventListener("keydown", function (event) { if (event.key === "Escape" && !tour.hidden) stop(); });
  window.addEventListener("resize", function () { if (!tour.hidden) place(highlighted); });

  document.querySelectorAll("[data-tour-start]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { show(0); });
  });

  var off = false;
  try { off = localStorage.getItem(OFF) === "1"; } catch (error) { off = false; }
  if (tour.hasAttribute("data-tour-autostart") && !off) {
    if (document.querySelector("[data-announcements]")) {
      document.addEventListener("announcements:closed", function () { show(0); }, { once: true });
    } else {
      show(0);
    }
  }
})();
