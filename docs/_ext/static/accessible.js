// A displayed formula wider than the column scrolls sideways; a keyboard user must be able to
// focus it to scroll it (axe-core: scrollable-region-focusable). Only the formulas that
// actually overflow become tab stops. Formulas are rendered when the book is built (KaTeX),
// so they are in place, at their final size, once the page and its fonts have loaded.
(function () {
  function focusableWhenWide() {
    document.querySelectorAll("div.math").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "group");
        box.setAttribute("aria-label", "Wide formula; scroll sideways to read it");
      }
    });
  }
  function whenLaidOut() {
    if (document.fonts && document.fonts.ready) {
      document.fonts.ready.then(focusableWhenWide);
    } else {
      focusableWhenWide();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", whenLaidOut);
  } else {
    whenLaidOut();
  }
  window.addEventListener("resize", focusableWhenWide);
})();
