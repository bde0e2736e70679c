/* Briefing mode: the keys a presentation clicker sends move between slides; the slide
 * number is kept in the URL (replaceState, so Back leaves briefing mode).
 * Enter and Space on a button or link do what it says (the browser's own activation); the
 * page under the deck and the slides not shown are `inert`, so Tab starts in the deck's bar;
 * each slide change is said in a polite live region; a slide's text shrinks to fit its box,
 * never below the deck's unit (24px at 1920×1080). */
(function () {
  "use strict";
  const FOCUS_AFTER = "present-focus"; // sessionStorage: the button to focus once the deck is redrawn
  let mounted = null; // the deck element set up, and the elements made inert for it
  let outside = [];

  function deck() { return document.getElementById("present"); }

  function slideTitle(slide) {
    const title = slide && slide.querySelector(".slide-title");
    return title ? title.textContent.trim() : "";
  }

  // Paragraphs too long for their box get smaller type, down to the deck's unit (the source line's size).
  function fit(slide) {
    const source = slide.querySelector(".slide-source");
    const least = source ? parseFloat(getComputedStyle(source).fontSize) : 16;
    slide.querySelectorAll(".slide-text").forEach(function (box) {
      box.style.fontSize = "";
      let size = parseFloat(getComputedStyle(box).fontSize);
      while (box.scrollHeight > box.clientHeight + 1 && size > least) {
        size = Math.max(least, size - 1);
        box.style.fontSize = size + "px";
      }
    });
  }

  function fitAll() {
    const d = deck();
    if (d) { d.querySelectorAll(".slide").forEach(fit); }
  }

  function mark(d, k) {
    const slides = d.querySelectorAll(".slide");
    slides.forEach(function (s, i) {
      const on = i === k - 1;
      s.classList.toggle("active", on);
      s.setAttribute("aria-hidden", on ? "false" : "true");
      s.inert = !on;
    });
    return slides;
  }

  function show(n) {
    const d = deck();
    if (!d) { return; }
    const count = d.querySelectorAll(".slide").length;
    const k = Math.max(1, Math.min(count, n));
    const moved = String(k) !== d.dataset.slide;
    const slides = mark(d, k);
    d.dataset.slide = String(k);
    const counter = d.querySelector(".slide-counter");
    if (counter) { counter.textContent = k + " / " + slides.length; }
    const live = d.querySelector(".present-live");
    if (live && moved) {
      live.textContent = "第 " + k + " 页，共 " + slides.length + " 页：" + slideTitle(slides[k - 1]);
    }
    const params = new URLSearchParams(window.location.search);
    params.set("slide", String(k));
    window.history.replaceState(window.history.state, "", window.location.pathname + "?" + params.toString());
  }

  // Navigation Dash's router hears (as dcc.Link does it).
  function go(url) {
    window.history.pushState({}, "", url);
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
  }

  function act(what) {
    const d = deck();
    const n = Number(d.dataset.slide || "1");
    if (what === "next") { show(n + 1); }
    else if (what === "prev") { show(n - 1); }
    else if (what === "first") { show(1); }
    else if (what === "last") { show(Infinity); }
    else if (what === "exit") {
      if (document.fullscreenElement) { document.exitFullscreen(); }
      const active = d.querySelector(".slide.active");
      go(active ? active.dataset.back : "/");
    } else if (what === "theme") {
      const params = new URLSearchParams(window.location.search);
      if (params.get("theme") === "contrast") { params.delete("theme"); } else { params.set("theme", "contrast"); }
      if (document.activeElement && document.activeElement.dataset.go === "theme") {
        sessionStorage.setItem(FOCUS_AFTER, "theme");
      }
      go(window.location.pathname + "?" + params.toString());
    } else if (what === "fullscreen") {
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
    }
  }

  // While the deck is shown, everything beside it (navbar, page, footer) is inert, except live regions.
  function mount(d) {
    unmount();
    mounted = d;
    for (let node = d; node && node !== document.body; node = node.parentElement) {
      Array.from(node.parentElement ? node.parentElement.children : []).forEach(function (sibling) {
        if (sibling === node || sibling.inert || sibling.matches("[aria-live], script, style")) { return; }
        sibling.inert = true;
        outside.push(sibling);
      });
    }
    mark(d, Number(d.dataset.slide || "1"));
    fitAll();
    const wanted = sessionStorage.getItem(FOCUS_AFTER);
    if (wanted) {
      sessionStorage.removeItem(FOCUS_AFTER);
      const button = d.querySelector('[data-go="' + wanted + '"]');
      if (button) { button.focus(); }
    }
  }

  function unmount() {
    outside.forEach(function (el) { el.inert = false; });
    outside = [];
    mounted = null;
  }

  function watch() {
    const d = deck();
    if (d && d !== mounted) { mount(d); }
    else if (!d && mounted) { unmount(); }
  }

  new MutationObserver(watch).observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener("resize", fitAll);
  document.addEventListener("DOMContentLoaded", watch);

  const KEYS = {
    ArrowRight: "next", PageDown: "next", " ": "next", ArrowDown: "next", Enter: "next",
    ArrowLeft: "prev", PageUp: "prev", ArrowUp: "prev", Backspace: "prev",
    Home: "first", End: "last", Escape: "exit", f: "fullscreen", F: "fullscreen", c: "theme", C: "theme",
  };
  const CONTROLS = "a[href], button, input, select, textarea, summary, [role=button], [role=link], [contenteditable]";

  document.addEventListener("keydown", function (e) {
    if (!deck() || e.altKey || e.ctrlKey || e.metaKey) { return; }
    const on = e.target && e.target.closest ? e.target.closest(CONTROLS) : null;
    // Enter and Space on a control are its own (退出 exits, an export link downloads); in a text
    // field every key is. A clicker's PageUp/PageDown still turn the slide after a button was clicked.
    if (on && (e.key === "Enter" || e.key === " " || on.matches("input, select, textarea, [contenteditable]"))) { return; }
    const what = e.shiftKey && e.key === " " ? "prev" : KEYS[e.key];
    if (!what) { return; }
    e.preventDefault();
    act(what);
  });

  document.addEventListener("click", function (e) {
    const button = e.target.closest && e.target.closest("#present [data-go]");
    if (button) { act(button.dataset.go); }
  });
})();
