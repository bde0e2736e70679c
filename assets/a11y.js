/* Accessibility fixes to third-party markup, and the skip link.
 *
 * - Dash 4's dropdown puts a readonly <input aria-hidden="true" tabindex="0"> before its button
 *   (tabindex -1) and forwards focus from one to the other: Tab lands on a focusable element
 *   hidden from screen readers (axe: aria-hidden-focus). The button itself takes Tab instead
 *   (it opens with Enter, Space or ArrowDown), and the input never takes focus; the dropdown
 *   gives the input tabindex 0 back on every blur, so it is set again whenever it changes.
 * - dcc.Upload's file input has no label: it gets the upload zone's name.
 * - 跳到正文 moves focus to the main landmark without writing #main into the URL, which the
 *   page keeps in step with its filters.
 */
(function () {
  "use strict";
  const UPLOAD_LABEL = "选择要检查的数据文件（CSV）";

  function fixDropdown(target) {
    if (target.getAttribute("tabindex") !== "-1") { target.setAttribute("tabindex", "-1"); }
    const button = target.nextElementSibling;
    if (button && button.tagName === "BUTTON" && !button.disabled && button.getAttribute("tabindex") !== "0") {
      button.setAttribute("tabindex", "0");
    }
  }

  function fixUpload(input) {
    if (!input.hasAttribute("aria-label")) { input.setAttribute("aria-label", UPLOAD_LABEL); }
  }

  function fixAll(root) {
    if (!root.querySelectorAll) { return; }
    root.querySelectorAll(".dash-dropdown-focus-target").forEach(fixDropdown);
    root.querySelectorAll("input[type=file]").forEach(fixUpload);
  }

  new MutationObserver(function (records) {
    records.forEach(function (r) {
      if (r.type === "attributes") {
        if (r.target.classList && r.target.classList.contains("dash-dropdown-focus-target")) { fixDropdown(r.target); }
        else if (r.target.tagName === "BUTTON" && r.target.previousElementSibling &&
                 r.target.previousElementSibling.classList.contains("dash-dropdown-focus-target")) {
          fixDropdown(r.target.previousElementSibling);
        }
      } else {
        r.addedNodes.forEach(fixAll);
      }
    });
  }).observe(document.documentElement, {childList: true, subtree: true, attributes: true,
                                        attributeFilter: ["tabindex", "disabled"]});

  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest(".skip-link");
    if (!link) { return; }
    const main = document.getElementById(link.getAttribute("href").slice(1));
    if (!main) { return; }
    event.preventDefault();
    const heading = main.querySelector("h1");
    main.focus();
    main.scrollIntoView();
    if (heading) { heading.scrollIntoView(); }
  });
})();
