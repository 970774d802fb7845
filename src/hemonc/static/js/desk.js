// The publishing desk (outreach): hashtags inserted where one types, a queue reordered by
// dragging, and the undo window counting down. Every one of these has a way without scripts:
// the hashtag buttons are plain text to copy, the queue has "Move up" / "Move down" buttons
// (forms of their own) and the undo button works until the server says it is too late.
(function () {
  "use strict";

  // ---- Hashtags: a button with data-insert puts its text at the caret of the textarea named
  // by data-insert-into, with a space on either side when needed, and lets htmx count again.
  function insertAtCaret(field, words) {
    var start = field.selectionStart != null ? field.selectionStart : field.value.length;
    var end = field.selectionEnd != null ? field.selectionEnd : start;
    var before = field.value.slice(0, start);
    var after = field.value.slice(end);
    if (before && !/\s$/.test(before)) words = " " + words;
    if (!after || !/^\s/.test(after)) words = words + (after ? " " : "");
    field.value = before + words + after;
    var caret = before.length + words.length;
    field.focus();
    field.setSelectionRange(caret, caret);
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-insert-into"));
    if (!field) return;
    event.preventDefault();
    insertAtCaret(field, button.getAttribute("data-insert"));
    var status = document.getElementById(button.getAttribute("data-insert-status") || "");
    if (status) status.textContent = button.getAttribute("data-insert") + " added to the text.";
  });

  // ---- The queue: drag a post by its handle (mouse, pen or finger); on release its new
  // order is sent with the reorder form. The Move up / Move down buttons do the same by keyboard.
  function setUpQueue(list) {
    var form = document.getElementById(list.getAttribute("data-reorder-form"));
    if (!form) return;
    var dragged = null;

    function itemAt(x, y) {
      var found = document.elementFromPoint(x, y);
      var item = found && found.closest("[data-queue-item]");
      return item && item.parentNode === list ? item : null;
    }

    function submitOrder() {
      form.querySelectorAll("input[name=order]").forEach(function (input) { input.remove(); });
      list.querySelectorAll("[data-queue-item]").forEach(function (item) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = "order";
        input.value = item.getAttribute("data-queue-item");
        form.append(input);
      });
      form.submit();
    }

    list.addEventListener("pointerdown", function (event) {
      var handle = event.target.closest("[data-drag-handle]");
      if (!handle || event.button > 0) return;
      dragged = handle.closest("[data-queue-item]");
      if (!dragged) return;
      event.preventDefault();
      handle.setPointerCapture(event.pointerId);
      dragged.classList.add("is-dragging");
      list.classList.add("is-sorting");
    });
    list.addEventListener("pointermove", function (event) {
      if (!dragged) return;
      var over = itemAt(event.clientX, event.clientY);
      if (!over || over === dragged) return;
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? over.nextSibling : over);
    });
    function drop(event) {
      if (!dragged) return;
      var before = list.getAttribute("data-order");
      dragged.classList.remove("is-dragging");
      list.classList.remove("is-sorting");
      dragged = null;
      var now = Array.prototype.map.call(
        list.querySelectorAll("[data-queue-item]"),
        function (item) { return item.getAttribute("data-queue-item"); }
      ).join(",");
      if (event.type === "pointerup" && now !== before) submitOrder();
    }
    list.addEventListener("pointerup", drop);
    list.addEventListener("pointercancel", drop);
  }

  // ---- The undo window: the button says how long is left, and once the time is up it says
  // so (the server refuses an undo after the window anyway).
  function setUpCountdown(button) {
    var until = Date.parse(button.getAttribute("data-undo-until"));
    var label = button.querySelector("[data-undo-left]");
    if (isNaN(until) || !label) return;
    function tick() {
      var left = Math.ceil((until - Date.now()) / 1000);
      if (left <= 0) {
        label.textContent = "";
        button.disabled = true;
        button.textContent = "Too late to undo: it is being sent";
        return;
      }
      label.textContent = " (" + left + " s left)";
      setTimeout(tick, 1000);
    }
    tick();
  }

  function setUpAll(root) {
    root.querySelectorAll("[data-reorder]:not([data-ready])").forEach(function (list) {
      list.setAttribute("data-ready", "");
      setUpQueue(list);
    });
    root.querySelectorAll("[data-undo-until]:not([data-ready])").forEach(function (button) {
      button.setAttribute("data-ready", "");
      setUpCountdown(button);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  document.addEventListener("htmx:load", function (event) { setUpAll(event.target); });
})();
