// Progressive enhancement of the search form. Without JavaScript the form works as it is (the "Apply filters"
// button submits it); with it, ticking a facet or changing the sort searches at once, and empty fields are
// left out of the URL. On every page "/" moves to the search box; on results the count is read out to screen
// readers once the page has loaded (a live region filled on load is announced, one filled by the server not).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function submitClean(form) {
    Array.prototype.forEach.call(form.elements, function (element) {
      if (element.name && element.value === "") {
        element.disabled = true; // disabled fields are not sent
      }
    });
  }

  function isTyping(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) {
      return;
    }
    var box = document.getElementById("q");
    if (box) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var announcer = document.getElementById("announce");
    if (announcer && announcer.dataset.message) {
      window.setTimeout(function () {
        announcer.textContent = announcer.dataset.message;
      }, 250);
    }
    var form = document.getElementById("search");
    if (!form) {
      return;
    }
    form.addEventListener("submit", function () {
      submitClean(form);
    });
    document.addEventListener("change", function (event) {
      var field = event.target;
      // Dates are typed digit by digit, so they wait for Enter or the button.
      if (field.form === form && (field.type === "checkbox" || field.tagName === "SELECT")) {
        form.requestSubmit();
      }
    });
    // Coming back through the history shows the page as it was left: enable the fields again.
    window.addEventListener("pageshow", function () {
      Array.prototype.forEach.call(form.elements, function (element) {
        element.disabled = false;
      });
    });
  });
})();
