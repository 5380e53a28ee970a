// The instrument's drawing (part of the module ui/instrument.py joins; see instrument.js): Plotly.js loaded once,
// scenes kept by id, the traces that follow the cursor, the layouts fitted to the screen, and the redraw.

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
    if (p.hessian && lab.texts.curv) out.contour.push(...principal(lab, p, h, i));
    const lines = curves(p, common.name, lab.filled.names, lab.paths.length > 1);
    for (const c of lines) {
      out.loss.push({ ...common, uid: `p${i}-${c.key}`, type: "scatter", mode: "lines", x: p.steps, y: p[c.key],
                      name: c.name, opacity: c.opacity, line: { color: p.color, width: c.width },
                      hovertemplate: hover.loss });
    }
    const last = lines[lines.length - 1].key; // the cursor rides the full loss where there is one
    out.loss.push({ ...common, uid: `p${i}-now`, type: "scatter", mode: "markers", x: [p.steps[h]],
                    y: [p[last][h]], showlegend: false, hoverinfo: "skip", marker: { ...head, size: 9 } });
  });
  return out;
}

// The curvature at path i's head on the contour: a segment through it along each eigenvector of the Hessian, as long
// as 6 to 15% of the view's width by the eigenvalue's size (solid where f curves up, dashed where down), labelled
// at the end that points into the view.
function principal(lab, p, h, i) {
  const here = hessianAt(p.hessian, h);
  if (!here) return [];
  const e = eigen2(...here);
  const xr = lab.views.contour._fullLayout?.xaxis?.range ?? lab.layouts.contour.xaxis.range;
  const yr = lab.views.contour._fullLayout?.yaxis?.range ?? lab.layouts.contour.yaxis.range;
  const top = Math.max(Math.abs(e.values[0]), Math.abs(e.values[1])) || 1;
  const [x, y] = [p.x[h], p.y[h]];
  const inward = [(xr[0] + xr[1]) / 2 - x, (yr[0] + yr[1]) / 2 - y];
  return e.vectors.map((u, j) => {
    const v = u[0] * inward[0] + u[1] * inward[1] < 0 ? [-u[0], -u[1]] : u;
    const size = Math.abs(xr[1] - xr[0]) * (0.06 + (0.09 * Math.abs(e.values[j])) / top);
    const color = j ? "#ffe066" : "#ffffff";
    return { uid: `p${i}-eig${j}`, type: "scatter", mode: "lines+text", showlegend: false, hoverinfo: "skip",
             x: [x - size * v[0], x, x + size * v[0]], y: [y - size * v[1], y, y + size * v[1]],
             text: ["", "", `λ${"₁₂"[j]} = ${sig(e.values[j])}`], textposition: "top center",
             textfont: { size: 13, color, shadow: "0px 0px 3px #000000" },
             line: { color, width: 3, dash: e.values[j] >= 0 ? "solid" : "dash" } };
  });
}

// The readout under the contour: the curvature at the cursor of the first path that carries it, and what it
// predicts for the learning rate (its numbers in data attributes too, for tests).
function curvature(lab) {
  const words = lab.texts.curv;
  const i = words ? lab.paths.findIndex((p) => p.hessian) : -1;
  lab.curv.hidden = i < 0;
  if (i < 0) return;
  const p = lab.paths[i];
  const h = shown(p.steps, Math.floor(lab.cursor)) - 1;
  const out = readout(hessianAt(p.hessian, h), words.runs[i], words, lab.texts.locale === "zh" ? "" : " ");
  lab.curv.textContent = out.text;
  const n = out.numbers;
  Object.assign(lab.curv.dataset, { step: String(p.steps[h]), l1: String(n ? n.values[0] : ""),
                                   l2: String(n ? n.values[1] : ""), bound: String(n?.bound ?? "") });
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
    for (const v of p.full ? [...p.loss, ...p.full] : p.loss) {
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
      curvature(lab);
    } while (lab.again);
    lab.root.dataset.drawn = lab.pathsId;
  })();
  try {
    await lab.drawing;
  } finally {
    lab.drawing = false;
  }
}
