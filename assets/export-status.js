/* Exports are plain links: the browser shows nothing while the server draws the file (a report
 * takes several seconds), so readers click again. Say it is being made, in a live region that
 * screen readers announce too. Offline: no library, nothing fetched. */
(function () {
  "use strict";
  const MESSAGE = "正在生成，请稍候…";
  const SHOW_MS = 10000; // about as long as a report takes; the download itself then shows
  let timer = null;

  // Made at load, empty: a live region must exist before its text changes to be announced.
  function statusBox() {
    let box = document.getElementById("export-status");
    if (!box) {
      box = document.createElement("div");
      box.id = "export-status";
      box.className = "export-status no-print";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      box.hidden = true;
      document.body.appendChild(box);
    }
    return box;
  }

  document.addEventListener("click", function (e) {
    const link = e.target.closest && e.target.closest('a[href*="/export/"]');
    if (!link) { return; }
    const box = statusBox();
    box.textContent = MESSAGE;
    box.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(function () { box.hidden = true; box.textContent = ""; }, SHOW_MS);
  }, true);

  if (document.body) { statusBox(); } else { document.addEventListener("DOMContentLoaded", statusBox); }
})();
