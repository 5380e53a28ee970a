// Descent Lab's instrument: the 3D view, the contour and the loss curve of one or more runs, with one step cursor.
// Python sends each scene (surface, contour, axes) once and the paths as packed arrays; this file keeps the scenes,
// slices the paths up to the cursor, plays them back, and redraws with Plotly.react so that the user's camera, zoom
// and legend choices survive every rerun (layout.uirevision). Every text reaches the page as textContent.
// The protocol (what Python sends, what goes back) and the pure parts (unpack, fill, shown, advance, startLoop,
// current, count) are in instrument_state.mjs, which comes first in the same module.
const G = (window.__descentLab ??= { scenes: new Map(), plotly: null });
const SPEEDS = [0.25, 0.5, 1, 2, 4];
const KEEP_SCENES = 8;
const CONFIG = { responsive: true, displaylogo: false };
const TOUCH_CONFIG = { ...CONFIG, displayModeBar: false }; // 24 px toolbar buttons are no targets for a finger
const TOUCH = window.matchMedia("(pointer: coarse)"); // a phone or a tablet: the plots start still
const NARROW = 600; // px: below this width the 3D view is as tall as it is wide
const SKIP = "dl-skip"; // the id of the skip link to the first instrument's Play

function loadPlotly(url) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!G.plotly) {
    G.plotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        G.plotly = null;
        script.remove();
        reject(new Error(`Plotly.js did not load from ${url}`));
      };
      document.head.appendChild(script);
    });
  }
  return G.plotly;
}

function keep(scene) {
  G.scenes.delete(scene.id);
  G.scenes.set(scene.id, scene);
  while (G.scenes.size > KEEP_SCENES) G.scenes.delete(G.scenes.keys().next().value);
  return scene;
}

function mount(root) {
  const q = (selector) => root.querySelector(selector);
  const lab = {
    root,
    views: { surface: q(".dl-surface"), contour: q(".dl-contour"), loss: q(".dl-loss") },
    play: q(".dl-play"), scrub: q(".dl-scrub"), speed: q(".dl-speed"), step: q(".dl-step"),
    hint: q(".dl-hint"), error: q(".dl-error"), touch: q(".dl-touch"), heading: q(".dl-heading"),
    cursor: 0, end: 0, rate: 1, playing: false, loop: false, last: null, hold: 0, restart: false,
    drawing: false, again: false, sceneId: null, pathsId: null, clicks: false, send: () => {},
  };
  for (const s of SPEEDS) lab.speed.add(new Option(`${s}×`, String(s), s === 1, s === 1));
  lab.play.addEventListener("click", () => (lab.playing ? pause(lab) : play(lab)));
  lab.touch.addEventListener("click", () => still(lab, !root.classList.contains("dl-still")));
  still(lab, TOUCH.matches);
  lab.speed.addEventListener("change", () => { lab.rate = Number(lab.speed.value); });
  lab.scrub.addEventListener("input", () => {
    pause(lab);
    lab.cursor = Number(lab.scrub.value);
    draw(lab).catch((err) => failed(lab, err));
  });
  root.addEventListener("keydown", (event) => {
    if (["INPUT", "SELECT", "BUTTON", "TEXTAREA"].includes(event.target.tagName)) return;
    if (event.key === " " || event.key === "k") {
      event.preventDefault();
      lab.playing ? pause(lab) : play(lab);
    }
  });
  return lab;
}

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

// The traces that follow the cursor in each view: the path so far and its head; the loss curve whole, with a marker.
function moving(lab) {
  const hover = lab.filled.hover;
  const out = { surface: [], contour: [], loss: [] };
  lab.paths.forEach((p, i) => {
    const n = shown(p.steps, Math.floor(lab.cursor));
    const h = n - 1;
    const common = { name: lab.texts.labels?.[i] ?? "", legendgroup: `p${i}` };
    const head = { size: 7, color: p.color, line: { color: "white", width: 1 } };
    out.surface.push(
      { ...common, uid: `p${i}-line3d`, type: "scatter3d", mode: "lines", x: p.x.subarray(0, n),
        y: p.y.subarray(0, n), z: p.z.subarray(0, n), line: { color: p.color, width: 6 }, hoverinfo: "skip" },
      { ...common, uid: `p${i}-head3d`, type: "scatter3d", mode: "markers", x: [p.x[h]], y: [p.y[h]],
        z: [p.z[h]], showlegend: false, marker: head, customdata: [p.steps[h]], hovertemplate: hover.contour },
    );
    out.contour.push(
      { ...common, uid: `p${i}-line`, type: "scatter", mode: "lines", x: p.x.subarray(0, n), y: p.y.subarray(0, n),
        customdata: p.steps.subarray(0, n), hovertemplate: hover.contour, line: { color: p.color, width: 2.5 } },
      { ...common, uid: `p${i}-ends`, type: "scatter", mode: "markers", x: [p.x[0], p.x[h]], y: [p.y[0], p.y[h]],
        showlegend: false, hoverinfo: "skip",
        marker: { size: 9, color: [p.color, "white"], line: { width: 1.5, color: p.color } } },
    );
    out.loss.push(
      { ...common, uid: `p${i}-loss`, type: "scatter", mode: "lines", x: p.steps, y: p.loss,
        line: { color: p.color }, hovertemplate: hover.loss },
      { ...common, uid: `p${i}-now`, type: "scatter", mode: "markers", x: [p.steps[h]], y: [p.loss[h]],
        showlegend: false, hoverinfo: "skip", marker: { ...head, size: 9 } },
    );
  });
  return out;
}

// On a narrow screen the 3D view is about as tall as it is wide, seen from a little further away (so that its
// corners and the height axis's labels stay in the picture).
function fit(layouts, width) {
  if (!width || width >= NARROW) return;
  const s = layouts.surface;
  s.height = Math.round(Math.min(s.height, Math.max(320, width * 1.05)));
  const eye = s.scene.camera.eye;
  s.scene.camera.eye = { x: eye.x * 1.3, y: eye.y * 1.3, z: eye.z * 1.3 };
  layouts.contour.height = Math.round(Math.min(layouts.contour.height, width + 40));
}

// A log axis over whole decades of the paths' values, one label a decade (or every few decades): the curve starts
// below the top label and no unlabelled minor ticks appear. Left to Plotly when no value is above zero.
function decades(axis, paths) {
  if (axis.type !== "log") return;
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of paths) {
    for (const v of p.loss) {
      if (v > 0 && Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  if (!(hi > 0)) {
    axis.autorange = true;
    delete axis.range;
    return;
  }
  const top = Math.ceil(Math.log10(hi));
  const bottom = Math.min(Math.floor(Math.log10(lo)), top - 1);
  axis.autorange = false;
  axis.range = [bottom, top];
  axis.dtick = Math.max(1, Math.ceil((top - bottom) / 6));
  axis.tick0 = 0;
}

function config() {
  return TOUCH.matches ? TOUCH_CONFIG : CONFIG;
}

// Redraw all three views at the cursor; calls made while a redraw runs fold into one more redraw after it.
async function draw(lab) {
  if (lab.drawing) {
    lab.again = true;
    return lab.drawing;
  }
  const Plotly = window.Plotly;
  lab.drawing = (async () => {
    do {
      lab.again = false;
      const traces = moving(lab);
      const scene = lab.filled;
      const drawing = [
        Plotly.react(lab.views.surface, [...scene.surface.data, ...traces.surface], lab.layouts.surface, config()),
      ];
      if (!lab.only3d) {
        drawing.push(
          Plotly.react(lab.views.contour, [...scene.contour.data, ...traces.contour], lab.layouts.contour, config()),
          Plotly.react(lab.views.loss, traces.loss, lab.layouts.loss, config()),
        );
      }
      await Promise.all(drawing);
      lab.scrub.value = String(Math.floor(lab.cursor));
      lab.root.dataset.cursor = String(Math.floor(lab.cursor));
      words(lab, lab.texts);
    } while (lab.again);
    lab.root.dataset.drawn = lab.pathsId;
  })();
  try {
    await lab.drawing;
  } finally {
    lab.drawing = false;
  }
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

async function receive(lab, data) {
  const scene = data.scene ? keep(data.scene) : G.scenes.get(data.scene_id);
  lab.root.dataset.scene = data.scene_id;
  lab.root.dataset.paths = data.paths_id;
  if (!scene) {
    lab.send("missing", data.scene_id); // this browser lost the scene (a reload of the view): ask for it again
    return;
  }
  const newScene = scene.id !== lab.sceneId;
  const newPaths = data.paths_id !== lab.pathsId;
  const wording = JSON.stringify([data.texts.scene, data.texts.labels]);
  const newWords = wording !== lab.wording; // another language: the same scene and paths, texts filled in again
  lab.loop = Boolean(data.loop);
  lab.only3d = Boolean(data.only3d);
  q(lab, ".dl-row").hidden = lab.only3d;
  try {
    await loadPlotly(data.plotly);
  } catch (err) {
    lab.error.textContent = err.message;
    lab.error.hidden = false;
    return;
  }
  lab.error.hidden = true;
  if (!newScene && !newPaths && !newWords) {
    words(lab, data.texts);
    return;
  }
  lab.wording = wording;
  if (newScene || newWords) {
    lab.filled = fill({ surface: { data: scene.surface.data }, contour: { data: scene.contour.data },
                        hover: scene.hover }, data.texts.scene || {});
    // a fresh copy per instance (Plotly writes the user's camera into it); the same uirevision keeps that camera
    lab.layouts = fill({ surface: scene.surface.layout, contour: scene.contour.layout, loss: scene.loss.layout },
                       data.texts.scene || {});
    fit(lab.layouts, lab.root.clientWidth);
  }
  const many = data.paths.length > 1;
  lab.layouts.contour.showlegend = many;
  lab.layouts.loss.showlegend = many;
  lab.scene = scene;
  lab.sceneId = scene.id;
  lab.pathsId = data.paths_id;
  if (newPaths) {
    lab.paths = data.paths.map((p) => ({ ...p, steps: unpack(p.steps), x: unpack(p.x), y: unpack(p.y),
                                         z: unpack(p.z), loss: unpack(p.loss) }));
  }
  lab.end = Math.max(0, ...lab.paths.map((p) => p.end));
  decades(lab.layouts.loss.yaxis, lab.paths);
  lab.scrub.max = String(lab.end);
  words(lab, data.texts);
  if (data.autoplay && newPaths) {
    lab.cursor = 0;
    await draw(lab);
    play(lab);
  } else {
    if (!lab.playing && (newScene || newPaths)) lab.cursor = lab.end; // new words only: the cursor stays
    lab.cursor = Math.min(lab.cursor, lab.end);
    await draw(lab);
  }
  if (!lab.only3d) listen(lab);
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const root = parentElement.querySelector(".dl-instrument");
  const lab = root.__lab ?? (root.__lab = mount(root));
  lab.send = setTriggerValue;
  receive(lab, data).catch((err) => failed(lab, err));
  return () => {
    // Called when the element goes away (another page, a view that is no longer shown): free its WebGL context.
    setTimeout(() => {
      if (!root.isConnected && window.Plotly) {
        lab.playing = false;
        Object.values(lab.views).forEach((view) => window.Plotly.purge(view));
      }
      if (!document.querySelector(".dl-instrument")) document.getElementById(SKIP)?.remove();
    }, 0);
  };
}
