// Look page: follows the analysis live, draws the boxes, lists each item's recommendations,
// and lets the shopper switch gender, filter, or draw a region of their own.
// Scraped text is only ever set with textContent, never parsed as HTML.
"use strict";
(function () {
  const root = document.getElementById("look");
  const statusUrl = root.dataset.statusUrl;
  const csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  const img = document.getElementById("photo-img");
  const photo = document.getElementById("photo");
  const boxesEl = document.getElementById("boxes");
  const itemsEl = document.getElementById("items");
  const errorEl = document.getElementById("look-error");
  const filters = document.getElementById("filters");
  const STAGES = ["queued", "analysing", "matching", "done"];
  // The garment categories come from the taxonomy (detection/taxonomy.json), via the page.
  const CATEGORIES = JSON.parse(document.getElementById("categories").textContent);
  const NAMES = Object.fromEntries(CATEGORIES.map((c) => [c.name, c.item_name]));
  const COLOURS = Object.fromEntries(CATEGORIES.map((c) => [c.name, c.colour]));
  let look = null;
  let timer = null;
  let facetsShown = false;
  const asked = new Set(); // categories the photo shows that the shopper wants completed anyway

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function safeUrl(url) {
    try {
      const parsed = new URL(url, window.location.href);
      return ["http:", "https:"].includes(parsed.protocol) ? parsed.href : "#";
    } catch (e) { return "#"; }
  }

  function query() {
    const params = new URLSearchParams();
    new FormData(filters).forEach((value, key) => { if (value !== "") params.append(key, value); });
    asked.forEach((category) => params.append("complete", category));
    return params.toString();
  }

  function showProgress(status) {
    const at = STAGES.indexOf(status);
    document.querySelectorAll("#progress li").forEach((li, i) => {
      li.classList.toggle("reached", at >= i);
      li.classList.toggle("current", at === i && status !== "done");
    });
  }

  function drawBoxes(items) {
    boxesEl.replaceChildren();
    items.forEach((item, n) => {
      const [x1, y1, x2, y2] = item.box;
      const box = el("div", { class: `box ${item.category}`, "data-item": item.id });
      if (COLOURS[item.category]) box.style.setProperty("--garment", COLOURS[item.category]);
      place(box, [x1, y1, x2, y2]);
      box.appendChild(el("span", {}, `${n + 1} ${item.name || NAMES[item.category]}`));
      boxesEl.appendChild(box);
    });
  }

  function place(node, [x1, y1, x2, y2]) {
    node.style.left = `${(100 * x1) / look.photo.width}%`;
    node.style.top = `${(100 * y1) / look.photo.height}%`;
    node.style.width = `${(100 * (x2 - x1)) / look.photo.width}%`;
    node.style.height = `${(100 * (y2 - y1)) / look.photo.height}%`;
  }

  // Several people: each one's box on the photo, and a button to shop their outfit instead.
  function drawPeople() {
    const panel = document.getElementById("people");
    const people = look.people || [];
    panel.replaceChildren();
    panel.hidden = people.length < 2;
    if (people.length < 2) return;
    panel.appendChild(el("p", { class: "small" }, "Whose outfit? We found several people:"));
    people.forEach((person) => {
      const chosen = person.index === look.person;
      const outline = el("div", { class: `box person${chosen ? " chosen" : ""}`, "data-person": person.index });
      place(outline, person.box);
      outline.appendChild(el("span", {}, `person ${person.index + 1}`));
      boxesEl.appendChild(outline);
      const button = el("button", { type: "button", class: "button secondary", "data-person": person.index, "aria-pressed": String(chosen) },
        `Person ${person.index + 1}${chosen ? " (shown)" : ""}`);
      button.addEventListener("click", async () => {
        if (person.index === look.person) return;
        try {
          await post(root.dataset.personUrl, { person: person.index });
          showProgress("matching");
          poll();
        } catch (err) { errorEl.textContent = err.message; errorEl.hidden = false; }
      });
      panel.appendChild(button);
    });
  }

  // What the analysis saw, in words: the shot, the facing, and where the gender was read.
  function drawSeen() {
    const seen = look.seen || {};
    const from = { face: "read from the face", figure: "read from the figure", unsure: "not sure" }[seen.gender_from];
    const parts = [seen.shot, seen.facing && seen.facing !== "unknown" ? `facing ${seen.facing}` : null, from && `gender ${from}`];
    document.getElementById("seen").textContent = parts.filter(Boolean).join(" · ");
  }

  function crop(item, side) {
    const [x1, y1, x2, y2] = item.box;
    const s = side / Math.max(x2 - x1, y2 - y1);
    const node = el("div", { class: "crop", role: "img", "aria-label": `your ${NAMES[item.category]}` });
    node.style.width = node.style.height = `${side}px`;
    node.style.backgroundImage = `url("${look.photo.url}")`;
    node.style.backgroundSize = `${look.photo.width * s}px ${look.photo.height * s}px`;
    const ox = -x1 * s + (side - (x2 - x1) * s) / 2;
    const oy = -y1 * s + (side - (y2 - y1) * s) / 2;
    node.style.backgroundPosition = `${ox}px ${oy}px`;
    return node;
  }

  // "Not right?": the shopper says what the garment is; it is searched again with their word.
  function correction(item) {
    const box = el("details", { class: "correct" });
    box.appendChild(el("summary", {}, "Not right? Tell us what it is"));
    const choices = look.choices || { types: {}, colours: [] };
    const type = el("select", { "aria-label": "type", name: "article_type" });
    type.appendChild(el("option", { value: "" }, "type as seen"));
    (choices.types[item.category] || []).forEach(([value, label]) => {
      const option = el("option", { value }, label);
      if (value === item.article_type) option.selected = true;
      type.appendChild(option);
    });
    const colour = el("select", { "aria-label": "colour", name: "colour" });
    colour.appendChild(el("option", { value: "" }, "colour as seen"));
    choices.colours.forEach((value) => {
      const option = el("option", { value }, value);
      if (item.colour_chosen && value === item.colour) option.selected = true;
      colour.appendChild(option);
    });
    const go = el("button", { type: "button", class: "button" }, "Update");
    go.addEventListener("click", async () => {
      try {
        await post(root.dataset.itemUrl.replace(/0$/, String(item.id)), { article_type: type.value, colour: colour.value });
        showProgress("matching");
        poll();
      } catch (err) { errorEl.textContent = err.message; errorEl.hidden = false; }
    });
    [type, colour, go].forEach((node) => box.appendChild(node));
    return box;
  }

  function card(rec) {
    const a = el("a", { class: "card", href: safeUrl(rec.url), target: "_blank", rel: "noopener noreferrer" });
    if (rec.image) a.appendChild(el("img", { src: rec.image, alt: "", loading: "lazy" }));
    a.appendChild(el("span", { class: `label ${rec.match === "exact match" ? "exact" : "similar"}` }, rec.match));
    a.appendChild(el("strong", {}, rec.brand));
    a.appendChild(el("span", { class: "title" }, rec.title));
    if (rec.price) a.appendChild(el("span", { class: "price" }, `${rec.currency} ${rec.price}`));
    a.appendChild(el("span", { class: "sim" }, `similarity ${rec.similarity.toFixed(2)}`));
    (rec.shares || []).forEach((why) => a.appendChild(el("span", { class: "shares" }, why)));
    return a;
  }

  function drawItems(items) {
    itemsEl.replaceChildren();
    if (look.fallback) itemsEl.appendChild(el("p", { class: "note" }, look.fallback));
    if (look.nothing_found) {
      itemsEl.appendChild(el("p", { class: "nothing" },
        "Nothing found: we could not see a person or a garment in this photo. Try a photo of one person, head to toe, or draw a box around a garment."));
      return;
    }
    items.forEach((item, n) => {
      const section = el("article", { class: "item", "data-item": item.id, "data-category": item.category });
      const head = el("header");
      head.appendChild(el("h2", {}, `${n + 1}. ${item.name || NAMES[item.category]}`));
      const badges = { shopper: "your box", pose: "from the pose", layout: "estimated" };
      if (badges[item.source]) head.appendChild(el("span", { class: "badge" }, badges[item.source]));
      if (item.colour) head.appendChild(el("span", { class: "badge" }, item.colour));
      if (item.type_chosen || item.colour_chosen) head.appendChild(el("span", { class: "badge" }, "as you said"));
      section.appendChild(head);
      section.appendChild(correction(item));
      const row = el("div", { class: "item-row" });
      row.appendChild(crop(item, 120));
      const list = el("div", { class: "recs" });
      if (item.matching) list.appendChild(el("p", { class: "small" }, "Matching…"));
      else if (!item.recommendations.length) list.appendChild(el("p", { class: "small" }, "No product matches these filters."));
      item.recommendations.forEach((rec) => list.appendChild(card(rec)));
      row.appendChild(list);
      section.appendChild(row);
      itemsEl.appendChild(section);
    });
  }

  function suggestion(rec) {
    const a = el("a", { class: "card", href: safeUrl(rec.url), target: "_blank", rel: "noopener noreferrer" });
    if (rec.image) a.appendChild(el("img", { src: rec.image, alt: "", loading: "lazy" }));
    a.appendChild(el("span", { class: "label goes" }, "goes with it"));
    a.appendChild(el("strong", {}, rec.brand));
    a.appendChild(el("span", { class: "title" }, rec.title));
    if (rec.price) a.appendChild(el("span", { class: "price" }, `${rec.currency} ${rec.price}`));
    return a;
  }

  // Complete the look: a row per category the photo lacks (or the shopper asked for), and buttons
  // to ask for the categories the photo already shows.
  function drawComplete() {
    const section = document.getElementById("complete");
    const rowsEl = document.getElementById("complete-rows");
    const askEl = document.getElementById("complete-ask");
    const rows = look.complete_the_look || [];
    const shown = new Set((look.items || []).map((item) => item.category));
    const canAsk = [...shown].filter((c) => !asked.has(c));
    rowsEl.replaceChildren();
    askEl.replaceChildren();
    section.hidden = !rows.length && !canAsk.length;
    rows.forEach((row) => {
      const block = el("div", { class: "complete-row", "data-category": row.category });
      const head = el("header");
      head.appendChild(el("h3", {}, row.name));
      if (row.in_photo) {
        const hide = el("button", { type: "button", class: "button secondary" }, "Hide");
        hide.addEventListener("click", () => { asked.delete(row.category); poll(); });
        head.appendChild(hide);
      }
      block.appendChild(head);
      const list = el("div", { class: "recs" });
      if (!row.products.length) list.appendChild(el("p", { class: "small" }, "No product matches these filters."));
      row.products.forEach((rec) => list.appendChild(suggestion(rec)));
      block.appendChild(list);
      rowsEl.appendChild(block);
    });
    canAsk.forEach((category) => {
      const button = el("button", { type: "button", class: "button secondary", "data-complete": category },
        `Suggest another ${NAMES[category].toLowerCase()}`);
      button.addEventListener("click", () => { asked.add(category); poll(); });
      askEl.appendChild(button);
    });
  }

  function drawGender() {
    const g = look.gender;
    const seen = document.getElementById("gender-seen");
    if (g.p_women === null) seen.textContent = "";
    else if (g.seen) seen.textContent = `We saw ${g.seen === "women" ? "a woman" : "a man"} (${Math.round(100 * Math.max(g.p_women, 1 - g.p_women))}% sure).`;
    else seen.textContent = "We were not sure who wears this, so we show both.";
    const active = g.choice === "auto" ? (g.searched.length === 1 ? g.searched[0] : "all") : g.choice;
    document.querySelectorAll("[data-gender]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.gender === active)));
  }

  function drawFacets(facets) {
    if (facetsShown || !facets) return;
    facetsShown = true;
    const add = (container, name, values) => values.forEach((value) => {
      const label = el("label", { class: "chip" });
      const box = el("input", { type: "checkbox", name, value });
      label.appendChild(box);
      label.appendChild(document.createTextNode(value));
      container.appendChild(label);
    });
    add(document.getElementById("brand-options"), "brand", facets.brands);
    add(document.getElementById("colour-options"), "colour", facets.colours);
  }

  async function poll() {
    clearTimeout(timer);
    try {
      const q = query();
      const response = await fetch(statusUrl + (q ? `?${q}` : ""), { headers: { Accept: "application/json" } });
      const body = await response.json();
      if (!response.ok) throw new Error(body.error || "The look could not be loaded.");
      look = body;
      errorEl.hidden = true;
    } catch (err) {
      errorEl.textContent = err.message;
      errorEl.hidden = false;
      timer = setTimeout(poll, 2000);
      return;
    }
    showProgress(look.status);
    root.dataset.status = look.status;
    if (look.error) {  // a failed look, or a change that could not be made (the results before it stand)
      errorEl.textContent = look.error;
      errorEl.hidden = false;
    }
    if (look.status === "failed") return;
    if (look.items) {
      drawBoxes(look.items);
      drawPeople();
      drawSeen();
      drawItems(look.items);
      drawComplete();
      drawGender();
      drawFacets(look.facets);
    }
    const busy = look.status !== "done" || (look.items || []).some((i) => i.matching);
    if (busy) timer = setTimeout(poll, 500);
  }

  async function post(url, fields) {
    const data = new FormData();
    Object.entries(fields).forEach(([k, v]) => data.append(k, v));
    const response = await fetch(url, { method: "POST", body: data, headers: { "X-CSRFToken": csrf }, credentials: "same-origin" });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.error || "That did not work.");
    }
  }

  document.querySelectorAll("[data-gender]").forEach((button) => button.addEventListener("click", async () => {
    try {
      await post(root.dataset.genderUrl, { gender: button.dataset.gender });
      showProgress("matching");
      poll();
    } catch (err) { errorEl.textContent = err.message; errorEl.hidden = false; }
  }));

  filters.addEventListener("change", () => poll());
  filters.addEventListener("reset", () => setTimeout(poll, 0));

  // Drawing a region: pointer events in the photo's displayed pixels, sent in the photo's own.
  const drawing = document.getElementById("drawing");
  const regionForm = document.getElementById("region-form");
  let start = null;
  let region = null;
  function point(e) {
    const r = img.getBoundingClientRect();
    return { x: Math.min(Math.max(e.clientX - r.left, 0), r.width), y: Math.min(Math.max(e.clientY - r.top, 0), r.height), r };
  }
  // A drawn region's likely category: the one worn nearest its middle height on the body.
  function guessCategory(middle) {
    const distance = (c) => Math.abs((c.body_span[0] + c.body_span[1]) / 2 - middle);
    return CATEGORIES.reduce((best, c) => (distance(c) < distance(best) ? c : best)).name;
  }
  photo.addEventListener("pointerdown", (e) => {
    if (!look || look.status !== "done") return;
    start = point(e);
    photo.setPointerCapture(e.pointerId);
    drawing.hidden = false;
  });
  photo.addEventListener("pointermove", (e) => {
    if (!start) return;
    const p = point(e);
    Object.assign(drawing.style, {
      left: `${Math.min(start.x, p.x)}px`, top: `${Math.min(start.y, p.y)}px`,
      width: `${Math.abs(p.x - start.x)}px`, height: `${Math.abs(p.y - start.y)}px`,
    });
  });
  photo.addEventListener("pointerup", (e) => {
    if (!start) return;
    const p = point(e);
    const k = look.photo.width / p.r.width;
    region = [Math.min(start.x, p.x) * k, Math.min(start.y, p.y) * k, Math.max(start.x, p.x) * k, Math.max(start.y, p.y) * k];
    start = null;
    if (region[2] - region[0] < 8 || region[3] - region[1] < 8) { drawing.hidden = true; return; }
    document.getElementById("region-category").value = guessCategory((region[1] + region[3]) / 2 / look.photo.height);
    regionForm.hidden = false;
  });
  document.getElementById("region-cancel").addEventListener("click", () => { regionForm.hidden = true; drawing.hidden = true; });
  document.getElementById("region-go").addEventListener("click", async () => {
    try {
      const [x1, y1, x2, y2] = region;
      await post(root.dataset.regionUrl, { x1, y1, x2, y2, category: document.getElementById("region-category").value });
      regionForm.hidden = true;
      drawing.hidden = true;
      poll();
    } catch (err) { errorEl.textContent = err.message; errorEl.hidden = false; }
  });

  poll();
})();
