// A display formula wider than the column scrolls sideways; a keyboard user must be able to
// focus it to scroll it (axe-core: scrollable-region-focusable). Only the formulas that
// actually overflow become tab stops, once MathJax has typeset them.
(function () {
  function focusableWhenWide() {
    document.querySelectorAll('mjx-container[display="true"]').forEach(function (box) {
      if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "group");
        box.setAttribute("aria-label", "Wide formula; scroll sideways to read it");
      }
    });
  }
  function whenTypeset() {
    if (!document.querySelector('script[src*="mathjax"]')) {
      return; // a page without formulas does not load MathJax
    }
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(focusableWhenWide);
    } else {
      window.setTimeout(whenTypeset, 100);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", whenTypeset);
  } else {
    whenTypeset();
  }
  window.addEventListener("resize", focusableWhenWide);
})();
