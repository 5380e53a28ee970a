// The instrument's protocol and its pure parts (no DOM, no Plotly): what Python sends and what the browser sends
// back, decoding the packed arrays, filling in a scene's texts, slicing a path to the cursor, playback timing and the
// token that keeps one animation loop running. ui/instrument.py puts this file before instrument.js in the
// component's module (so these are plain functions there); tests/js/instrument_state.test.mjs runs them under node
// against tests/fixtures/instrument.json, which the Python side is tested against too (tests/test_protocol.py).
// The Python side of the same protocol: ui/protocol.py (TypedDicts), with the same field names.

/**
 * A Plotly typed-array spec: little-endian bytes in base64 (viz/instrument.typed).
 * @typedef {{dtype: "f4" | "i4", bdata: string, shape?: string}} TypedArray
 */
/**
 * One path, numbers only (its label travels with the texts): its colour, last step, and per sampled step the step,
 * x, y, height in the 3D view and the loss curve's value; with the curvature on, the Hessian there as
 * (hxx, hxy, hyy) rows (shape [n, 3]); a model fed minibatches (its loss each step's minibatch loss) also the full
 * data set's loss, `full`, drawn as a second line.
 * @typedef {{color: string, end: number, steps: TypedArray, x: TypedArray, y: TypedArray, z: TypedArray,
 *            loss: TypedArray, hessian?: TypedArray, full?: TypedArray}} PathSpec
 */
/**
 * What a path's run needs for SGD's stability bound: lr, momentum beta (null: not SGD with plain or heavy-ball
 * momentum, the readout then gives plain gradient descent's bound) and dampening.
 * @typedef {{lr: number, beta: number | null, dampening: number}} Bound
 */
/**
 * The curvature readout's words, {l1} {l2} {cond} {bound} {lr} filled in at the cursor, and each path's Bound.
 * @typedef {{values: string, sgd: string, gd: string, flat: string, stable: string, unstable: string,
 *            missing: string, runs: Bound[]}} Curv
 */
/**
 * A scene: each view's fixed part, its texts marked ⟦text⟧, and the id the browser keeps it by.
 * @typedef {{id: string, words: string[], surface: {data: object[], layout: object},
 *            contour: {data: object[], layout: object}, loss: {layout: object, names?: {loss: string, full: string}},
 *            hover: {contour: string, loss: string}}} Scene
 */
/**
 * The words of one rerun, in the page's language: the controls', the paths' labels, the scene's texts, the locale
 * step counts are written in.
 * @typedef {{play: string, pause: string, step: string, speed: string, hint: string, free: string, still: string,
 *            heading: string, unlock: string, skip: string, labels: string[], scene: Object<string, string>,
 *            locale: string, curv?: Curv}} Texts
 */
/**
 * What Python sends on every rerun (ui/protocol.Data); `scene` only when this session has not been sent it.
 * @typedef {{plotly: string, scene_id: string, scene?: Scene, paths_id: string, paths: PathSpec[], texts: Texts,
 *            autoplay: boolean, loop: boolean, only3d: boolean}} Data
 */
/**
 * What the browser sends back (ui/protocol.TRIGGERS): "click" with {x, y}, a click on the contour; "missing" with a
 * scene id, a scene this browser no longer holds.
 * @typedef {"click" | "missing"} Trigger
 */

export const SECONDS_PER_RUN = 8; // a whole run plays in 8 s at 1x
export const HOLD_MS = 1500; // a looping view rests this long on the end before it starts again
export const ARRAYS = { f4: Float32Array, i4: Int32Array };
export const MARK = /⟦([^⟦⟧]*)⟧/g;

/** The numbers of a typed-array spec. @param {TypedArray} spec @returns {Float32Array | Int32Array} */
export function unpack(spec) {
  const bytes = Uint8Array.from(atob(spec.bdata), (c) => c.charCodeAt(0));
  return new ARRAYS[spec.dtype](bytes.buffer);
}

/** A copy of a scene (or part) with its marked texts filled in from table; typed arrays kept as they are. */
export function fill(value, table) {
  if (typeof value === "string") return value.replace(MARK, (_, key) => table[key] ?? key);
  if (Array.isArray(value)) return value.map((v) => fill(v, table));
  if (value && typeof value === "object") {
    if ("bdata" in value) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, table)]));
  }
  return value;
}

/**
 * The loss curve's lines of one path: its loss under its label, and where it has `full` (a model fed minibatches)
 * the minibatch loss and the full loss under the scene's names for them (after the label when there are several
 * paths), the full loss drawn heavier.
 * @param {{full?: ArrayLike<number>}} path @param {string} label
 * @param {{loss: string, full: string} | undefined} names @param {boolean} many
 * @returns {{key: "loss" | "full", name: string, width: number, opacity: number}[]}
 */
export function curves(path, label, names, many) {
  if (!path.full) return [{ key: "loss", name: label, width: 2, opacity: 1 }];
  const named = (word) => (many ? `${label} · ${word}` : word);
  return [
    { key: "loss", name: named(names?.loss ?? "loss"), width: 1, opacity: 0.45 },
    { key: "full", name: named(names?.full ?? "full"), width: 2.5, opacity: 1 },
  ];
}

/** How many of a path's points are at or before the cursor's step (at least its start). */
export function shown(steps, cursor) {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid] <= cursor) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(lo, 1);
}

/** The cursor after `seconds` of playback at `rate` (a whole run of `end` steps takes SECONDS_PER_RUN at 1x). */
export function advance(cursor, seconds, rate, end) {
  return Math.min(end, cursor + (seconds * rate * end) / SECONDS_PER_RUN);
}

/** A new animation loop: its token. Only the loop holding the latest token goes on (a Pause and a Play in quick
 * succession leave one loop running, not two). */
export function startLoop(state) {
  state.loops = (state.loops || 0) + 1;
  return state.loops;
}

/** Whether the loop holding `token` is the one that may draw the next frame. */
export function current(state, token) {
  return Boolean(state.playing) && token === state.loops;
}

/** A step count as the page's language writes it (1,000 in English, 1,000 in Chinese too; not the browser's). */
export function count(n, locale) {
  return Math.floor(n).toLocaleString(locale || "en");
}

/**
 * The symmetric matrix [[a, b], [b, c]] in closed form: eigenvalues ascending, unit eigenvectors (vectors[i] belongs
 * to values[i]) and the condition number |lambda| largest over smallest (Infinity where one is 0).
 * @returns {{values: number[], vectors: number[][], condition: number}}
 */
export function eigen2(a, b, c) {
  const mean = (a + c) / 2;
  const r = Math.hypot((a - c) / 2, b);
  const det = a * c - b * b;
  // the eigenvalue farther from 0 first, the other from the determinant: no cancellation when one is tiny
  const far = mean >= 0 ? mean + r : mean - r;
  const near = far === 0 ? 0 : det / far;
  const values = far >= near ? [near, far] : [far, near];
  const angle = 0.5 * Math.atan2(2 * b, a - c); // the direction of the larger eigenvalue
  const top = [Math.cos(angle), Math.sin(angle)];
  const vectors = [[-top[1], top[0]], top];
  const lo = Math.min(Math.abs(values[0]), Math.abs(values[1]));
  const hi = Math.max(Math.abs(values[0]), Math.abs(values[1]));
  return { values, vectors, condition: lo === 0 ? (hi === 0 ? 1 : Infinity) : hi / lo };
}

/** SGD's largest stable learning rate on the quadratic model: 2 (1 + beta) / ((1 - dampening) lambda_max); null
 * where no direction curves up. */
export function lrBound(lambdaMax, beta = 0, dampening = 0) {
  return lambdaMax > 0 ? (2 * (1 + beta)) / ((1 - dampening) * lambdaMax) : null;
}

/** The Hessian row i of a path's (hxx, hxy, hyy) array, or null where it is not finite. */
export function hessianAt(h, i) {
  const row = [h[3 * i], h[3 * i + 1], h[3 * i + 2]];
  return row.every(Number.isFinite) ? row : null;
}

/** A number as the readout writes it: 4 significant digits. */
export function sig(v) {
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "—";
  return String(Number(v.toPrecision(4)));
}

/** The readout at one point: the numbers and the sentence, from the Hessian row h, the run's Bound and the words
 * (joined by sep: a space in English, none in Chinese). */
export function readout(h, run, words, sep = " ") {
  if (!h) return { text: words.missing, numbers: null };
  const e = eigen2(h[0], h[1], h[2]);
  const lmax = e.values[1];
  const heavy = run.beta !== null;
  const bound = lrBound(lmax, heavy ? run.beta : 0, heavy ? run.dampening : 0);
  const table = { l1: sig(e.values[0]), l2: sig(lmax), cond: sig(e.condition), lr: sig(run.lr),
                  bound: bound === null ? "—" : sig(bound) };
  let said = bound === null ? words.flat : heavy ? words.sgd : words.gd;
  if (bound !== null && heavy) said += sep + (run.lr < bound ? words.stable : words.unstable);
  const text = [words.values, said].map((w) => w.replace(/\{(\w+)\}/g, (m, k) => table[k] ?? m)).join(sep);
  return { text, numbers: { ...e, bound } };
}
