// Polls a background job's progress record and updates the bar until it finishes.
(function () {
  const box = document.getElementById("job");
  if (!box || box.dataset.finished === "1") return;
  const bar = box.querySelector("progress");
  const status = box.querySelector("[data-testid=job-status]");
  const count = box.querySelector("[data-testid=job-count]");
  const message = box.querySelector("[data-testid=job-message]");
  async function poll() {
    const r = await fetch(box.dataset.url, { credentials: "same-origin" });
    if (!r.ok) return;
    const j = await r.json();
    bar.value = j.percent;
    status.textContent = j.status_display;
    count.textContent = j.done + " / " + j.total;
    message.textContent = j.message;
    if (j.finished) {
      if (j.status === "done" && j.has_file) document.getElementById("download").hidden = false;
      return;
    }
    setTimeout(poll, 700);
  }
  poll();
})();
