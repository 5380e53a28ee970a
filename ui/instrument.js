// Descent Lab's instrument: the 3D view, the contour and the loss curve of one or more runs, with one step cursor.
// Python sends each scene (surface, contour, axes) once and the paths as packed arrays; this file keeps the scenes,
// slices the paths up to the cursor, plays them back, and redraws with Plotly.react so that the user's camera, zoom
// and legend choices survive every rerun (layout.uirevision). Every text reaches the page as textContent.
// One module in four files, by job (ui/instrument.py joins them in this order): instrument_state.mjs, the protocol
// (what Python sends, what goes back) and the pure parts (unpack, fill, curves, shown, advance, startLoop, current,
// count); this file, the instrument's state (mount) and what a rerun brings (receive); instrument_draw.js, drawing with
// Plotly; instrument_controls.js, the controls and playback.
const G = (window.__descentLab ??= { scenes: new Map(), plotly: null });
const SPEEDS = [0.25, 0.5, 1, 2, 4];
const KEEP_SCENES = 8;
const CONFIG = { responsive: true, displaylogo: false };
const TOUCH_CONFIG = { ...CONFIG, displayModeBar: false }; // 24 px toolbar buttons are no targets for a finger
const TOUCH = window.matchMedia("(pointer: coarse)"); // a phone or a tablet: the plots start still
const NARROW = 600; // px: below this width the 3D view is as tall as it is wide
const SKIP = "dl-skip"; // the id of the skip link to the first instrument's Play

function mount(root) {
  const q = (selector) => root.querySelector(selector);
  const lab = {
    root,
    views: { surface: q(".dl-surface"), contour: q(".dl-contour"), loss: q(".dl-loss") },
    play: q(".dl-play"), scrub: q(".dl-scrub"), speed: q(".dl-speed"), step: q(".dl-step"),
    hint: q(".dl-hint"), curv: q(".dl-curv"), error: q(".dl-error"), touch: q(".dl-touch"), heading: q(".dl-heading"),
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
                        hover: scene.hover, names: scene.loss.names }, data.texts.scene || {});
    // a fresh copy per instance (Plotly writes the user's camera into it); the same uirevision keeps that camera
    lab.layouts = fill({ surface: scene.surface.layout, contour: scene.contour.layout, loss: scene.loss.layout },
                       data.texts.scene || {});
    fit(lab.layouts, lab.root.clientWidth);
  }
  const many = data.paths.length > 1;
  lab.layouts.contour.showlegend = many;
  lab.layouts.loss.showlegend = many || data.paths.some((p) => p.full);
  lab.scene = scene;
  lab.sceneId = scene.id;
  lab.pathsId = data.paths_id;
  if (newPaths) {
    lab.paths = data.paths.map((p) => ({ ...p, steps: unpack(p.steps), x: unpack(p.x), y: unpack(p.y),
                                         z: unpack(p.z), loss: unpack(p.loss),
                                         hessian: p.hessian ? unpack(p.hessian) : null,
                                         ...(p.full ? { full: unpack(p.full) } : {}) }));
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
