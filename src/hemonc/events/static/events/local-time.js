// Session times in the browser's zone on a first visit, before the server knows that zone.
//
// The server writes times in the reader's zone once it knows it (their profile's, or the
// browser's from the `tz` cookie site.js sets). Until then it marks each time it wrote in its
// own zone with data-local ("long" or "time"); this rewrites those in the browser's zone,
// in the server's words ("Thu 3 Dec 2026, 7:00 PM CST"), and hides the session's own zone
// beside it (data-zone) when it now reads the same.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return; // no Intl: the server's words stay
  }
  if (!zone) {
    return;
  }

  function parts(date, inZone, options) {
    var found = {};
    options.timeZone = inZone;
    new Intl.DateTimeFormat("en-US", options).formatToParts(date).forEach(function (part) {
      found[part.type] = part.value;
    });
    return found;
  }

  function clock(date, inZone) {
    var p = parts(date, inZone, {
      hour: "numeric", minute: "2-digit", hour12: true, timeZoneName: "short"
    });
    return { time: p.hour + ":" + p.minute + " " + (p.dayPeriod || "").toUpperCase(), zone: p.timeZoneName };
  }

  function rewrite(element) {
    var date = new Date(element.getAttribute("datetime"));
    if (isNaN(date.getTime())) {
      return;
    }
    var here = clock(date, zone);
    if (element.getAttribute("data-local") === "time") {
      element.textContent = here.time;
    } else {
      var day = parts(date, zone, { weekday: "short", day: "numeric", month: "short", year: "numeric" });
      element.textContent = day.weekday + " " + day.day + " " + day.month + " " + day.year +
        ", " + here.time + " " + here.zone;
    }
    element.removeAttribute("data-local");
    var beside = element.nextElementSibling;
    if (beside && beside.hasAttribute("data-zone")) {
      try {
        var sessionZone = beside.getAttribute("data-zone");
        var there = clock(date, sessionZone);
        var day = function (inZone) {
          return parts(date, inZone, { year: "numeric", month: "numeric", day: "numeric" }).day;
        };
        var weekday = day(sessionZone) === day(zone)
          ? "" : parts(date, sessionZone, { weekday: "short" }).weekday + " ";
        var city = beside.getAttribute("data-city");
        beside.textContent = " · " + weekday + there.time + " " + there.zone +
          (city ? " (" + city + ")" : "");
        beside.hidden = there.time === here.time && there.zone === here.zone;
      } catch (e) { /* an unknown zone: the server's words stay */ }
    }
  }

  function run(root) {
    Array.prototype.forEach.call(root.querySelectorAll("time[data-local]"), rewrite);
  }

  run(document);
  // Parts of pages that htmx swaps in are rewritten too.
  document.addEventListener("htmx:afterSwap", function (event) {
    run(event.target);
  });
})();
