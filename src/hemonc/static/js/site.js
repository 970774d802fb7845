// hemonc-network: the site's few behaviours. Loaded in <head> without defer, so the page is
// marked as scripted before its first paint; everything that needs the page waits for it.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  // Remember the browser's time zone so visitors see times in their own zone. Zone names
  // ("America/Chicago") are valid cookie values as they are: the server reads them unquoted.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var cookie = "tz=" + zone;
    if (zone && /^[A-Za-z0-9_+\-\/]+$/.test(zone) && (";" + document.cookie.replace(/ /g, "") + ";").indexOf(";" + cookie + ";") === -1) {
      document.cookie = cookie + ";path=/;max-age=31536000;SameSite=Lax";
    }
  } catch (e) { /* older browsers: times stay in the server's zone */ }

  // The phone menu: a button that shows and hides the main navigation as a panel.
  function setUpMenu() {
    var button = document.querySelector(".menu-button");
    var nav = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!nav) return;
    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("is-open", open);
    }
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (button.getAttribute("aria-expanded") === "true" &&
          !nav.contains(event.target) && !button.contains(event.target)) {
        setOpen(false);
      }
    });
  }

  // Filters behind a button on phones: <details class="filters-toggle"> opens by itself on
  // wide screens, where the filters sit beside the results; its summary counts the filters set.
  function activeFilters(panel) {
    var count = 0;
    var fields = panel.querySelectorAll("input, select");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked) count++;
      } else if (field.type !== "hidden" && field.type !== "submit" && field.value) {
        count++;
      }
    }
    return count;
  }
  function showCount(panel) {
    var label = panel.querySelector("[data-filter-count]");
    if (!label) return;
    var count = activeFilters(panel);
    label.textContent = count ? "(" + count + " active)" : "";
  }
  function setUpFilters() {
    var wide = window.matchMedia("(min-width: 821px)");
    var panels = document.querySelectorAll("details.filters-toggle");
    if (!panels.length) return;
    function sync() {
      for (var i = 0; i < panels.length; i++) {
        if (wide.matches) panels[i].open = true;
      }
    }
    for (var i = 0; i < panels.length; i++) {
      var panel = panels[i];
      showCount(panel);
      panel.addEventListener("change", showCount.bind(null, panel));
      panel.addEventListener("input", showCount.bind(null, panel));
    }
    sync();
    if (wide.addEventListener) wide.addEventListener("change", sync);
  }

  function ready() {
    setUpMenu();
    setUpFilters();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
