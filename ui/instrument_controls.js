// The instrument's controls (part of the module ui/instrument.py joins; see instrument.js): Play and Pause, the
// playback loop, the Turn-and-zoom switch, the skip link, the words on the controls, and what goes back to Python.

// Still plots let a finger (or a wheel) scroll the page over them; a press of the switch makes them turn, zoom
// and take clicks again (the graphs take no pointer events while still: plotly.js 3D scenes hold on to touches).
function still(lab, on) {
  lab.root.classList.toggle("dl-still", on);
  lab.touch.setAttribute("aria-checked", String(!on));
  if (lab.texts) words(lab, lab.texts);
}

// A link before everything else on the page that takes the keyboard to the first instrument's Play.
function skipLink(text) {
  let link = document.getElementById(SKIP);
  if (!link) {
    link = Object.assign(document.createElement("a"), { id: SKIP, href: "#dl-play", className: "dl-skip" });
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const play = document.querySelector(".dl-instrument .dl-play");
      if (play) play.focus();
    });
    document.body.prepend(link);
  }
  link.textContent = text;
}

function words(lab, texts) {
  lab.texts = texts;
  const free = !lab.root.classList.contains("dl-still");
  lab.touch.textContent = `${free ? "✋" : "🔒"} ${free ? texts.free : texts.still}`;
  lab.heading.textContent = texts.heading;
  if (texts.skip) skipLink(texts.skip);
  if (!document.getElementById("dl-play")) lab.play.id = "dl-play"; // the skip link's target: the first Play
  lab.play.textContent = lab.playing ? `❚❚ ${texts.pause}` : `▶ ${texts.play}`;
  lab.play.setAttribute("aria-pressed", String(lab.playing));
  lab.scrub.setAttribute("aria-label", texts.step);
  lab.speed.setAttribute("aria-label", texts.speed);
  q(lab, ".dl-speed-label").textContent = texts.speed;
  lab.hint.textContent = texts.hint && !free ? `${texts.hint} ${texts.unlock}` : texts.hint || "";
  lab.step.textContent = `${texts.step} ${count(lab.cursor, texts.locale)} / ${count(lab.end, texts.locale)}`;
}

function q(lab, selector) {
  return lab.root.querySelector(selector);
}

function play(lab) {
  if (lab.end === 0) return;
  if (lab.cursor >= lab.end) lab.cursor = 0;
  lab.restart = false;
  lab.playing = true;
  lab.last = null;
  const loop = startLoop(lab); // a Pause and a Play in quick succession leave one loop running
  words(lab, lab.texts);
  requestAnimationFrame((t) => tick(lab, t, loop));
}

function pause(lab) {
  lab.playing = false;
  lab.restart = false; // paused in the rest at the end: the view stays at the end, as the cursor says
  words(lab, lab.texts);
}

function tick(lab, now, loop) {
  if (!current(lab, loop)) return;
  if (!lab.root.isConnected) {
    lab.playing = false;
    return;
  }
  if (now < lab.hold) {
    requestAnimationFrame((t) => tick(lab, t, loop));
    return;
  }
  if (lab.restart) {
    lab.restart = false;
    lab.cursor = 0;
    lab.last = null;
  }
  const dt = lab.last === null ? 0 : (now - lab.last) / 1000;
  lab.last = now;
  lab.cursor = advance(lab.cursor, dt, lab.rate, lab.end);
  const atEnd = lab.cursor >= lab.end;
  draw(lab).then(() => {
    if (!current(lab, loop)) return;
    if (atEnd && lab.loop) {
      lab.restart = true; // rest on the end (the cursor stays there), then start again from step 0
      lab.hold = performance.now() + HOLD_MS;
    } else if (atEnd) {
      pause(lab);
      return;
    }
    requestAnimationFrame((t) => tick(lab, t, loop));
  }).catch((err) => failed(lab, err));
}

// Plotly could not draw: stop playing (the button says Play again) and say why.
function failed(lab, err) {
  pause(lab);
  lab.error.textContent = String(err && err.message ? err.message : err);
  lab.error.hidden = false;
}

function listen(lab) {
  if (lab.clicks) return;
  lab.clicks = true;
  lab.views.contour.on("plotly_click", (event) => {
    const point = event.points && event.points[0];
    if (point && Number.isFinite(point.x) && Number.isFinite(point.y)) {
      lab.send("click", { x: point.x, y: point.y });
    }
  });
}
