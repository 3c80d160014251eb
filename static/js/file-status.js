// The 作成中 page of a report file (templates/reporting/file_pending.html): asks the status URL every
// two seconds whether the background worker has made the file, then shows the download link in
// place of 作成中 (or the failure and its retry). Without JavaScript a reload of the page does it.
document.querySelectorAll("[data-file-status]").forEach((box) => {
  const message = box.querySelector("[data-file-message]");
  const ready = box.querySelector("[data-file-ready]");
  const reload = box.querySelector("[data-file-reload]");
  const failed = document.querySelector("[data-file-failed]");
  const ask = async () => {
    let state = "pending";
    try {
      const response = await fetch(box.dataset.fileStatus, { headers: { Accept: "application/json" } });
      if (response.ok) {
        state = (await response.json()).state;
      } else if (response.status === 404) {
        // Replaced by a file of newer data meanwhile: the page asks again for the file of today's data.
        window.location.reload();
        return;
      }
    } catch (error) {
      // A network hiccup: ask again later.
    }
    if (state === "ready") {
      message.textContent = "ファイルができました。";
      reload.hidden = true;
      ready.hidden = false;
      ready.querySelector("a").focus();
    } else if (state === "failed") {
      box.hidden = true;
      failed.hidden = false;
    } else {
      window.setTimeout(ask, 2000);
    }
  };
  window.setTimeout(ask, 1000);
});
