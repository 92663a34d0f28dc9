// Autocomplete for the search box: as someone types, a list of the headlines, places, organisations and people
// that start with it (from the JSON at the input's data-suggest address). Choosing a headline opens the
// article, choosing a name searches for it. Without JavaScript the search box is a plain search box.
// The list follows the ARIA combobox pattern: arrows move through it, Enter chooses, Escape closes.
(function () {
  "use strict";

  var GROUPS = [
    ["headlines", "Articles"],
    ["places", "Places"],
    ["organizations", "Organisations"],
    ["people", "People"]
  ];
  var MIN_LENGTH = 2;
  var DELAY_MS = 120;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text; // text, never markup: headlines and names come from articles
    }
    return node;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("q");
    var source = input && input.getAttribute("data-suggest");
    if (!source || !window.fetch || !window.AbortController) {
      return;
    }
    var list = element("div", "suggest");
    list.id = "q-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");

    var options = [];
    var active = -1;
    var timer = null;
    var pending = null;

    function close() {
      list.hidden = true;
      list.textContent = "";
      options = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      options.forEach(function (option, i) {
        option.classList.toggle("is-active", i === index);
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(option) {
      window.location.assign(option.getAttribute("data-url"));
    }

    function render(answer) {
      close();
      GROUPS.forEach(function (group) {
        var items = answer[group[0]] || [];
        if (!items.length) {
          return;
        }
        var box = element("div", "suggest__group");
        box.setAttribute("role", "group");
        var label = element("div", "suggest__label", group[1]);
        label.id = "q-group-" + group[0];
        label.setAttribute("role", "presentation");
        box.setAttribute("aria-labelledby", label.id);
        box.appendChild(label);
        items.forEach(function (item) {
          var option = element("div", "suggest__option");
          option.id = "q-option-" + options.length;
          option.setAttribute("role", "option");
          option.setAttribute("aria-selected", "false");
          option.setAttribute("data-url", item.url);
          option.appendChild(element("span", "suggest__text", item.headline || item.value));
          if (item.count !== undefined) {
            option.appendChild(element("span", "count", item.count.toLocaleString("en")));
          }
          box.appendChild(option);
          options.push(option);
        });
        list.appendChild(box);
      });
      if (options.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function suggest() {
      var prefix = input.value.trim();
      if (pending) {
        pending.abort();
        pending = null;
      }
      if (prefix.length < MIN_LENGTH) {
        close();
        return;
      }
      pending = new AbortController();
      fetch(source + "?q=" + encodeURIComponent(prefix), {signal: pending.signal})
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (answer) {
          if (answer && answer.q === input.value.trim()) {
            render(answer);
          }
        })
        .catch(function () {
          // A cancelled or failed request shows no list; the search box works without one.
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(suggest, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        // Past either end of the list, the input itself (-1) is next.
        var next = active + (event.key === "ArrowDown" ? 1 : -1);
        if (next >= options.length) {
          next = -1;
        } else if (next < -1) {
          next = options.length - 1;
        }
        highlight(next);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(options[active]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });

    // Pressing on the list must not take the focus from the input (that would close the list first).
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) {
        choose(option);
      }
    });
    input.addEventListener("blur", close);
  });
})();
