// The instrument's pure parts under node (`node --test tests/js`, run by tests/test_protocol.py): decoding the
// arrays Python packed, filling in a scene's texts, slicing a path to the cursor, playback timing, and one animation
// loop after a Pause and a Play. The cases are tests/fixtures/instrument.json, which Python is tested against too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { advance, count, current, fill, shown, startLoop, unpack } from "../../ui/instrument_state.mjs";

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
