// Upload page: drag and drop, file picker or camera; posts the photo and opens its look page.
"use strict";
(function () {
  const form = document.getElementById("upload-form");
  const input = document.getElementById("photo");
  const camera = document.getElementById("camera");
  const drop = document.getElementById("drop");
  const preview = document.getElementById("preview");
  const errorBox = document.getElementById("upload-error");
  const submit = document.getElementById("submit");
  let chosen = null;

  function choose(file) {
    if (!file) return;
    chosen = file;
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
    drop.classList.add("has-photo");
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  input.addEventListener("change", () => choose(input.files[0]));
  camera.addEventListener("change", () => { choose(camera.files[0]); send(); });
  ["dragenter", "dragover"].forEach((name) =>
    drop.addEventListener(name, (e) => { e.preventDefault(); drop.classList.add("over"); }));
  ["dragleave", "drop"].forEach((name) =>
    drop.addEventListener(name, (e) => { e.preventDefault(); drop.classList.remove("over"); }));
  drop.addEventListener("drop", (e) => {
    if (e.dataTransfer.files.length) choose(e.dataTransfer.files[0]);
  });

  async function send() {
    if (!chosen) { showError("Choose a photo first."); return; }
    const data = new FormData(form);
    data.set("photo", chosen);
    submit.disabled = true;
    submit.textContent = "Uploading…";
    errorBox.hidden = true;
    try {
      const response = await fetch(form.action, {
        method: "POST", body: data, headers: { Accept: "application/json" }, credentials: "same-origin",
      });
      const body = await response.json();
      if (!response.ok) throw new Error(body.error || "The upload failed.");
      window.location.assign(body.page_url);
    } catch (err) {
      showError(err.message);
      submit.disabled = false;
      submit.textContent = "Find the look";
    }
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); send(); });
})();
