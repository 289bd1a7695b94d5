/* Capturing a claim by selecting a passage of a document.
 *
 * The document page renders the text in one container (class "document-text");
 * highlights are <mark> elements inside it, so the container's text is exactly
 * the stored text. When the reader selects a passage there, the "Capture as
 * claim" button appears; pressing it opens the capture form with the quote and
 * its W3C selectors: TextQuoteSelector (exact, prefix, suffix) and
 * TextPositionSelector (start, end).
 *
 * Positions are counted in Unicode code points, as the server counts them.
 * JavaScript strings count UTF-16 code units (an emoji such as U+1F680 is two),
 * so every offset is converted before it is sent.
 *
 * Without this script, the capture form still works: the quote is pasted and
 * the server finds it in the text.
 *
 * The button floats just below the selection (placed from the selection's
 * bounding rectangle, kept inside the window), once the mouse button is released. Keyboard users press Alt+C to
 * move focus to it; a live region announces it when a passage is selected.
 */
(function () {
  "use strict";

  // Characters of context on each side, as on the server (factcheck/claims/anchoring.py).
  var CONTEXT_LENGTH = 32;

  function isHighSurrogate(code) {
    return code >= 0xd800 && code <= 0xdbff;
  }

  function isLowSurrogate(code) {
    return code >= 0xdc00 && code <= 0xdfff;
  }

  // True when `unit` falls between the two halves of a surrogate pair.
  function splitsPair(text, unit) {
    return unit > 0 && unit < text.length &&
      isHighSurrogate(text.charCodeAt(unit - 1)) && isLowSurrogate(text.charCodeAt(unit));
  }

  // The number of code points in text.slice(0, units).
  function codePointOffset(text, units) {
    var points = 0;
    var unit = 0;
    var limit = Math.min(units, text.length);
    while (unit < limit) {
      unit += splitsPair(text, unit + 1) ? 2 : 1;
      points += 1;
    }
    return points;
  }

  // The UTF-16 offset `count` code points before (step -1) or after (step 1) `unit`.
  function moveByCodePoints(text, unit, count, step) {
    while (count > 0 && (step < 0 ? unit > 0 : unit < text.length)) {
      unit += step;
      if (splitsPair(text, unit)) {
        unit += step;
      }
      count -= 1;
    }
    return Math.max(0, Math.min(unit, text.length));
  }

  function isSpace(character) {
    return /\s/.test(character);
  }

  // The selectors of text.slice(start, end) (UTF-16 offsets), trimmed of surrounding
  // whitespace, with positions in code points; null when nothing but whitespace is selected.
  function selectorFor(text, start, end) {
    start = Math.max(0, Math.min(start, text.length));
    end = Math.max(start, Math.min(end, text.length));
    if (splitsPair(text, start)) {
      start -= 1;
    }
    if (splitsPair(text, end)) {
      end += 1;
    }
    while (start < end && isSpace(text.charAt(start))) {
      start += 1;
    }
    while (end > start && isSpace(text.charAt(end - 1))) {
      end -= 1;
    }
    if (start >= end) {
      return null;
    }
    var prefixStart = moveByCodePoints(text, start, CONTEXT_LENGTH, -1);
    var suffixEnd = moveByCodePoints(text, end, CONTEXT_LENGTH, 1);
    var startPoints = codePointOffset(text, start);
    return {
      exact: text.slice(start, end),
      prefix: text.slice(prefixStart, start),
      suffix: text.slice(end, suffixEnd),
      start: startPoints,
      end: startPoints + codePointOffset(text.slice(start, end), end - start)
    };
  }

  // The UTF-16 offset in the container's text of a DOM boundary point
  // (0 before the container, the text's length after it).
  function unitOffset(container, node, offset, length) {
    var whole = document.createRange();
    whole.selectNodeContents(container);
    var where = whole.comparePoint(node, offset);
    if (where < 0) {
      return 0;
    }
    if (where > 0) {
      return length;
    }
    var before = document.createRange();
    before.setStart(container, 0);
    before.setEnd(node, offset);
    return before.toString().length;
  }

  // The selectors of the current selection within the container, or null.
  function selectionIn(container) {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
      return null;
    }
    var range = selection.getRangeAt(0);
    var text = container.textContent;
    var start = unitOffset(container, range.startContainer, range.startOffset, text.length);
    var end = unitOffset(container, range.endContainer, range.endOffset, text.length);
    return end > start ? selectorFor(text, start, end) : null;
  }

  // Pixels between the selection and the button.
  var GAP = 6;

  // The rectangle of the selection's last line (where the reader's eye is), or null.
  function selectionRect() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0) {
      return null;
    }
    var range = selection.getRangeAt(0);
    var rects = range.getClientRects();
    var rect = rects.length ? rects[rects.length - 1] : range.getBoundingClientRect();
    return rect && (rect.width || rect.height) ? rect : null;
  }

  // Place the button below the selection (fixed to the window), or back in the bar without one.
  function place(button, floating) {
    button.classList.toggle("floating", floating);
    // Measured after the button left the bar: the layout may have moved with it.
    var rect = floating ? selectionRect() : null;
    if (!rect) {
      button.style.top = "";
      button.style.left = "";
      return;
    }
    var width = button.offsetWidth;
    var height = button.offsetHeight;
    var left = Math.max(GAP, Math.min(rect.right - width, window.innerWidth - width - GAP));
    var top = rect.bottom + GAP;
    if (top + height > window.innerHeight - GAP) {
      top = Math.max(GAP, rect.top - height - GAP);
    }
    button.style.left = Math.round(left) + "px";
    button.style.top = Math.round(top) + "px";
  }

  function init() {
    var container = document.querySelector(".document-text");
    var form = document.getElementById("capture-selection");
    var button = document.getElementById("capture-button");
    if (!container || !form || !button) {
      return;
    }
    var status = document.getElementById("capture-status");
    var current = null;
    var pending = null;
    // While the mouse is still selecting, the button stays out of the way: it would float under
    // the pointer and the drag would end on it. It appears when the button is released.
    var dragging = false;

    function update() {
      pending = null;
      if (dragging) {
        return;
      }
      var selected = selectionIn(container);
      if (selected === null && document.activeElement === button && current !== null) {
        // Focus moved to the button (Alt+C): keep the passage it is about.
        return;
      }
      var announce = selected !== null && (current === null || current.exact !== selected.exact);
      current = selected;
      button.hidden = current === null;
      place(button, current !== null);
      if (status) {
        status.textContent = announce
          ? "Passage selected. Press Alt+C to reach the Capture as claim button."
          : "";
      }
    }

    function reposition() {
      if (current !== null && document.activeElement !== button) {
        place(button, true);
      }
    }
    window.addEventListener("scroll", reposition, { passive: true });
    window.addEventListener("resize", reposition);

    // Alt+C: focus the button for the selected passage.
    document.addEventListener("keydown", function (event) {
      var isC = event.code === "KeyC" || (event.key && event.key.toLowerCase() === "c");
      if (event.altKey && !event.ctrlKey && !event.metaKey && isC && current !== null && !button.hidden) {
        event.preventDefault();
        button.focus();
      }
    });

    document.addEventListener("selectionchange", function () {
      if (pending === null) {
        pending = window.setTimeout(update, 80);
      }
    });

    document.addEventListener("mousedown", function (event) {
      if (event.button === 0 && event.target !== button) {
        dragging = true;
        button.hidden = true;
      }
    });
    document.addEventListener("mouseup", function () {
      if (dragging) {
        dragging = false;
        update();
      }
    });

    // Pressing the button must not clear the selection it is about.
    button.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });

    form.addEventListener("submit", function (event) {
      var selector = selectionIn(container) || current;
      if (selector === null) {
        event.preventDefault();
        button.hidden = true;
        return;
      }
      form.elements.quote_exact.value = selector.exact;
      form.elements.quote_prefix.value = selector.prefix;
      form.elements.quote_suffix.value = selector.suffix;
      form.elements.position_start.value = String(selector.start);
      form.elements.position_end.value = String(selector.end);
    });

    // A click on a highlight opens its claim, unless it ends a selection.
    container.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a") : null;
      var selection = window.getSelection();
      if (link && selection && !selection.isCollapsed && selection.toString().trim() !== "") {
        event.preventDefault();
      }
    });

    update();
  }

  // For tests: the conversions, without the page.
  window.FactcheckCapture = {
    codePointOffset: codePointOffset,
    selectorFor: selectorFor,
    selectionIn: selectionIn
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
