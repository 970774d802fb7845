// Search-as-you-type pickers (core.widgets.SearchSelect): a combobox asking the picker's
// source for matches, chosen records kept as chips with hidden inputs under the field's name.
(function () {
  "use strict";

  function chip(picker, id, label) {
    var item = document.createElement("li");
    item.className = "chip";
    var text = document.createElement("span");
    text.textContent = label;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = picker.dataset.name;
    input.value = id;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "chip-remove";
    remove.setAttribute("data-picker-remove", "");
    remove.setAttribute("aria-label", "Remove " + label);
    remove.textContent = "\u00d7";
    item.append(text, input, remove);
    return item;
  }

  function setUp(picker) {
    var search = picker.querySelector("input[role=combobox]");
    var listbox = picker.querySelector("[role=listbox]");
    var chosen = picker.querySelector(".picker-chosen");
    var multiple = picker.hasAttribute("data-multiple");
    var timer = null;
    var asked = 0;
    var active = -1;
    var pickFirst = false; // Enter came before the matches: pick the first when they do

    function options() { return listbox.querySelectorAll("[role=option]"); }

    function close() {
      listbox.hidden = true;
      listbox.replaceChildren();
      search.setAttribute("aria-expanded", "false");
      search.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      all.forEach(function (option, i) { option.setAttribute("aria-selected", String(i === active)); });
      search.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    function choose(option) {
      var id = option.dataset.id;
      if (!multiple) chosen.replaceChildren();
      if (!chosen.querySelector("input[value='" + CSS.escape(id) + "']")) {
        chosen.append(chip(picker, id, option.dataset.label));
      }
      search.value = "";
      close();
      search.focus();
      search.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(results) {
      listbox.replaceChildren();
      if (!results.length) {
        var none = document.createElement("li");
        none.className = "picker-empty";
        none.textContent = "No matches.";
        listbox.append(none);
      }
      results.forEach(function (result, i) {
        var option = document.createElement("li");
        option.id = listbox.id + "_" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.id = result.id;
        option.dataset.label = result.label;
        var label = document.createElement("span");
        label.textContent = result.label;
        option.append(label);
        if (result.detail) {
          var detail = document.createElement("small");
          detail.textContent = result.detail;
          option.append(" ", detail);
        }
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(option); });
        listbox.append(option);
      });
      listbox.hidden = false;
      search.setAttribute("aria-expanded", "true");
      active = -1;
      if (pickFirst && results.length) choose(options()[0]);
      pickFirst = false;
    }

    function ask() {
      var query = search.value.trim();
      if (!query) { close(); return; }
      var ticket = ++asked;
      fetch(picker.dataset.url + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" }, credentials: "same-origin"
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (ticket === asked) show(data.results || []); })
        .catch(function () { /* offline: the list stays as it was */ });
    }

    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); if (listbox.hidden) ask(); else highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Enter" && search.value.trim()) {
        event.preventDefault(); // Enter picks; it never submits the form half-filled
        var all = options();
        if (!listbox.hidden && all.length) choose(all[active >= 0 ? active : 0]);
        else { pickFirst = true; clearTimeout(timer); ask(); }
      }
      else if (event.key === "Escape") { close(); }
    });
    search.addEventListener("blur", function () { setTimeout(close, 100); });
    picker.addEventListener("click", function (event) {
      var remove = event.target.closest("[data-picker-remove]");
      if (remove) { remove.closest(".chip").remove(); search.focus(); }
    });
  }

  function setUpAll(root) {
    root.querySelectorAll("[data-picker]:not([data-picker-ready])").forEach(function (picker) {
      picker.setAttribute("data-picker-ready", "");
      setUp(picker);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  document.addEventListener("htmx:load", function (event) { setUpAll(event.target); });
})();
