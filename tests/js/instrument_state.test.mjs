// The instrument's pure parts under node (`node --test tests/js`, run by tests/test_protocol.py): decoding the
// arrays Python packed, filling in a scene's texts, slicing a path to the cursor, playback timing, and one animation
// loop after a Pause and a Play. The cases are tests/fixtures/instrument.json, which Python is tested against too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { advance, count, current, curves, eigen2, fill, hessianAt, lrBound, readout, shown, startLoop, unpack } from
  "../../ui/instrument_state.mjs";

const fixture = JSON.parse(readFileSync(new URL("../fixtures/instrument.json", import.meta.url), "utf-8"));

test("arrays Python packed decode to their values", () => {
  for (const { values, spec } of fixture.arrays) {
    const got = Array.from(unpack(spec));
    const want = spec.dtype === "f4" ? values.map(Math.fround) : values;
    assert.deepEqual(got, want);
  }
});

test("a path is sliced to the points at or before the cursor, its start at least", () => {
  const steps = Int32Array.from(fixture.shown.steps);
  for (const [cursor, n] of fixture.shown.cursors) assert.equal(shown(steps, cursor), n, `cursor ${cursor}`);
});

test("playback: a whole run in 8 s at 1x, scaled by the speed, never past the end", () => {
  for (const { cursor, seconds, rate, end, then } of fixture.advance) {
    assert.equal(advance(cursor, seconds, rate, end), then);
  }
});

test("a scene's marked texts are filled in, typed arrays left alone, the scene itself unchanged", () => {
  const { scene, table, filled } = fixture.fill;
  const before = JSON.stringify(scene);
  assert.deepEqual(fill(scene, table), filled);
  assert.equal(JSON.stringify(scene), before);
});

test("a Pause and a Play in quick succession leave one loop running", () => {
  const lab = { playing: true };
  const first = startLoop(lab);
  lab.playing = false; // pause: the first loop's next frame sees it and stops ...
  assert.equal(current(lab, first), false);
  lab.playing = true; // ... but play again before that frame comes
  const second = startLoop(lab);
  assert.equal(current(lab, first), false); // the old loop stops at its next frame
  assert.equal(current(lab, second), true); // the new one goes on: one loop, not two
});

test("step counts are written in the page's language, not the browser's", () => {
  assert.equal(count(20000.7, "en"), "20,000");
  assert.equal(count(1234, "de"), "1.234"); // what a German browser would have shown for an English page
});

test("the curvature's closed form meets numpy.linalg.eigh and core.curvature.lr_bound", () => {
  for (const { h, values, vectors, condition, beta, bound } of fixture.eigen) {
    const scale = Math.max(1, ...values.map(Math.abs));
    const e = eigen2(...h);
    values.forEach((v, i) => assert.ok(Math.abs(e.values[i] - v) <= 1e-12 * scale, `${h}: ${e.values} vs ${values}`));
    if (values[0] !== values[1]) { // a repeated eigenvalue has no one pair of directions
      vectors.forEach((v, i) => {
        const dot = Math.abs(v[0] * e.vectors[i][0] + v[1] * e.vectors[i][1]); // the same line, either sign
        assert.ok(Math.abs(dot - 1) < 1e-12, `${h}: ${e.vectors} vs ${vectors}`);
      });
    }
    e.vectors.forEach((v) => assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-15));
    if (condition === null) assert.equal(e.condition, Infinity);
    else assert.ok(Math.abs(e.condition - condition) <= 1e-9 * condition, `${h}: ${e.condition}`);
    const got = lrBound(e.values[1], beta);
    if (bound === null) assert.equal(got, null);
    else assert.ok(Math.abs(got - bound) <= 1e-12 * bound, `${h}: ${got} vs ${bound}`);
  }
});

test("the readout fills in the numbers, and says stable or unstable only for SGD", () => {
  const words = { values: "l1 {l1} l2 {l2} c {cond}", sgd: "sgd {bound} lr {lr}", gd: "gd {bound}", flat: "flat",
                  stable: "stable", unstable: "unstable", missing: "missing" };
  const h = [74, 20, 34]; // Himmelblau at (3, 2): 2 / lambda_max = 2 / (54 + sqrt(800)) = 0.024306...
  assert.equal(readout(h, { lr: 0.02, beta: 0, dampening: 0 }, words).text,
               "l1 25.72 l2 82.28 c 3.2 sgd 0.02431 lr 0.02 stable");
  assert.equal(readout(h, { lr: 0.03, beta: 0, dampening: 0 }, words).text.endsWith("unstable"), true);
  assert.equal(readout(h, { lr: 0.03, beta: 0.9, dampening: 0 }, words).text.endsWith("0.04618 lr 0.03 stable"), true);
  assert.equal(readout(h, { lr: 0.001, beta: null, dampening: 0 }, words).text, "l1 25.72 l2 82.28 c 3.2 gd 0.02431");
  assert.equal(readout([-1, 0, -2], { lr: 0.1, beta: 0, dampening: 0 }, words).text, "l1 -2 l2 -1 c 2 flat");
  assert.equal(readout(h, { lr: 0.02, beta: 0, dampening: 0 }, words, "").text,
               "l1 25.72 l2 82.28 c 3.2sgd 0.02431 lr 0.02stable"); // Chinese: no space between sentences
  assert.equal(readout(hessianAt(Float32Array.from([1, 0, 1, NaN, 0, 1]), 1), { lr: 1, beta: 0, dampening: 0 },
                       words).text, "missing");
});

test("the loss curve: one line per path, two (minibatch and full loss) for a path that has `full`", () => {
  for (const { path, label, names, many, curves: want } of fixture.curves) {
    assert.deepEqual(curves(path, label, names ?? undefined, many), want);
  }
});
