/* Briefing mode: the keys a presentation clicker sends move between slides; the slide
 * number is kept in the URL (replaceState, so Back leaves briefing mode). */
(function () {
  "use strict";
  function deck() { return document.getElementById("present"); }

  function show(n) {
    const d = deck();
    if (!d) { return; }
    const slides = d.querySelectorAll(".slide");
    const k = Math.max(1, Math.min(slides.length, n));
    slides.forEach(function (s, i) {
      s.classList.toggle("active", i === k - 1);
      s.setAttribute("aria-hidden", i === k - 1 ? "false" : "true");
    });
    d.dataset.slide = String(k);
    const counter = d.querySelector(".slide-counter");
    if (counter) { counter.textContent = k + " / " + slides.length; }
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
      go(window.location.pathname + "?" + params.toString());
    } else if (what === "fullscreen") {
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
    }
  }

  const KEYS = {
    ArrowRight: "next", PageDown: "next", " ": "next", ArrowDown: "next", Enter: "next",
    ArrowLeft: "prev", PageUp: "prev", ArrowUp: "prev", Backspace: "prev",
    Home: "first", End: "last", Escape: "exit", f: "fullscreen", F: "fullscreen", c: "theme", C: "theme",
  };

  document.addEventListener("keydown", function (e) {
    if (!deck() || e.altKey || e.ctrlKey || e.metaKey) { return; }
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
