/* Exports take seconds (a PDF report six to nine): as plain links the browser showed nothing
 * meanwhile, and readers clicked again, starting the same file twice. So an export link is
 * fetched here: a live region (announced by screen readers) says it is being made and for how
 * long, the link cannot be started again until the file has come, and the file is then saved
 * under the server's name; a refusal (busy, no Chromium) is shown as the server words it.
 * Offline: no library, nothing fetched but the export itself. */
(function () {
  "use strict";
  const MESSAGE = "正在生成，请稍候…";
  const DONE_MS = 6000;
  const ERROR_MS = 15000;
  const busy = new Set(); // hrefs being made: the same export is never asked for twice at once
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

  function say(text, hideAfter) {
    const box = statusBox();
    box.textContent = text;
    box.hidden = false;
    clearTimeout(timer);
    if (hideAfter) {
      timer = setTimeout(function () { box.hidden = true; box.textContent = ""; }, hideAfter);
    }
  }

  function fileName(response, href) {
    const header = response.headers.get("Content-Disposition") || "";
    const match = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (match) {
      try { return decodeURIComponent(match[1]); } catch (e) { /* fall through */ }
    }
    return href.split("?")[0].split("/").pop();
  }

  function links(href) {
    return Array.prototype.filter.call(document.querySelectorAll('a[href*="/export/"]'), function (a) {
      return a.getAttribute("href") === href;
    });
  }

  function mark(href, on) {
    links(href).forEach(function (a) {
      if (on) { a.setAttribute("aria-disabled", "true"); a.classList.add("export-busy"); }
      else { a.removeAttribute("aria-disabled"); a.classList.remove("export-busy"); }
    });
  }

  // Saves a URL (a blob's, or an image's data URL) under a name; chart-image.js uses it too.
  function saveUrl(url, name) {
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }
  window.dashboardSaveUrl = saveUrl;

  function save(blob, name) {
    const url = URL.createObjectURL(blob);
    saveUrl(url, name);
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  document.addEventListener("click", function (e) {
    const link = e.target.closest && e.target.closest('a[href*="/export/"]');
    if (!link || e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) {
      return;
    }
    e.preventDefault();
    const href = link.getAttribute("href");
    if (busy.has(href)) {
      say(MESSAGE + "（这份文件正在生成，不必再点）");
      return;
    }
    busy.add(href);
    mark(href, true);
    const started = Date.now();
    say(MESSAGE);
    const tick = setInterval(function () {
      say(MESSAGE + "（已用 " + Math.round((Date.now() - started) / 1000) + " 秒）");
    }, 1000);
    fetch(href, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          return response.text().then(function (text) { throw new Error(text.split("\n")[0] || "导出失败"); });
        }
        return response.blob().then(function (blob) { return [blob, fileName(response, href)]; });
      })
      .then(function (got) {
        clearInterval(tick);
        save(got[0], got[1]);
        say("已生成：" + got[1], DONE_MS);
      })
      .catch(function (error) {
        clearInterval(tick);
        say(error && error.message ? error.message : "导出失败，请稍后重试。", ERROR_MS);
      })
      .finally(function () {
        busy.delete(href);
        mark(href, false);
      });
  }, true);

  if (document.body) { statusBox(); } else { document.addEventListener("DOMContentLoaded", statusBox); }
})();
