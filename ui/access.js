// Descent Lab's page helper for keyboards and screen readers, mounted once on every page (ui/access.py): a region
// that scrolls sideways (a long formula, a wide code block) becomes a named tab stop, so that a keyboard can scroll
// it (axe-core: scrollable-region-focusable). It watches the page, since Streamlit draws elements after this runs.
const G = (window.__descentAccess ??= { observer: null, texts: {} });
const SCROLLERS = ".katex-display, [data-testid='stCode'] pre, [data-testid='stMarkdown']";

function mark() {
  for (const el of document.querySelectorAll(SCROLLERS)) {
    const sideways = /(auto|scroll)/.test(getComputedStyle(el).overflowX);
    const scrolls = sideways && el.scrollWidth > el.clientWidth;
    if (scrolls && !el.hasAttribute("tabindex")) {
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "region");
      el.dataset.dlScroll = el.querySelector(".katex") ? "formula" : "code";
    } else if (!scrolls && el.dataset.dlScroll) {
      ["tabindex", "role", "aria-label", "data-dl-scroll"].forEach((a) => el.removeAttribute(a));
    }
  }
  // Each region's name is unique (axe-core: landmark-unique): "code (scrolls sideways) 2" after the first.
  const seen = { formula: 0, code: 0 };
  for (const el of document.querySelectorAll("[data-dl-scroll]")) {
    const kind = el.dataset.dlScroll;
    seen[kind] += 1;
    el.setAttribute("aria-label", seen[kind] > 1 ? `${G.texts[kind]} ${seen[kind]}` : G.texts[kind]);
  }
}

export default function (component) {
  G.texts = component.data.texts;
  if (!G.observer) {
    let queued = false;
    const later = () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        mark();
      });
    };
    G.observer = new MutationObserver(later);
    G.observer.observe(document.body, { childList: true, subtree: true });
    window.addEventListener("resize", later);
  }
  mark();
}
