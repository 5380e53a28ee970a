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
 * x, y, height in the 3D view and the loss curve's value.
 * @typedef {{color: string, end: number, steps: TypedArray, x: TypedArray, y: TypedArray, z: TypedArray,
 *            loss: TypedArray}} PathSpec
 */
/**
 * A scene: each view's fixed part, its texts marked ⟦text⟧, and the id the browser keeps it by.
 * @typedef {{id: string, words: string[], surface: {data: object[], layout: object},
 *            contour: {data: object[], layout: object}, loss: {layout: object},
 *            hover: {contour: string, loss: string}}} Scene
 */
/**
 * The words of one rerun, in the page's language: the controls', the paths' labels, the scene's texts, the locale
 * step counts are written in.
 * @typedef {{play: string, pause: string, step: string, speed: string, hint: string, free: string, still: string,
 *            heading: string, unlock: string, skip: string, labels: string[], scene: Object<string, string>,
 *            locale: string}} Texts
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
