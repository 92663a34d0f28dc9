// Progressive enhancement of the search form. Without JavaScript the form works as it is (the "Apply filters"
// button submits it); with it, ticking a facet or changing the sort searches at once, and empty fields are
// left out of the URL.
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

  document.addEventListener("DOMContentLoaded", function () {
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
