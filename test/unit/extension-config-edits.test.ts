// Quick fixes and remedy buttons edit dcgan.json through these functions: comments and layout must survive.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as jsonc from 'jsonc-parser';
import { applyConfigEdits, detectFormatting, diffAsReplacement, spanForPath } from '../../src/extension/configEdits';

const CONFIG = `// my experiment
{
    "data": {
        // 8-bit digits
        "path": "data/x.npy",
        "scale": "none"
    }
}
`;

test('a fix replaces a value and keeps comments and 4-space indentation', () => {
  const out = applyConfigEdits(CONFIG, [{ path: ['data', 'scale'], value: 'auto' }]);
  assert.match(out, /^\/\/ my experiment/);
  assert.match(out, /\/\/ 8-bit digits/);
  assert.match(out, /\n {8}"scale": "auto"\n/);
  assert.deepEqual(jsonc.parse(out), { data: { path: 'data/x.npy', scale: 'auto' } });
});

test('a fix can add nested keys, set objects and remove keys, applied in order', () => {
  const out = applyConfigEdits(CONFIG, [
    { path: ['data', 'scale'], value: { from: [0, 255] } },
    { path: ['training', 'labelSmoothing'], value: 0.1 },
    { path: ['data', 'path'] },
  ]);
  assert.deepEqual(jsonc.parse(out), { data: { scale: { from: [0, 255] } }, training: { labelSmoothing: 0.1 } });
  assert.match(out, /\/\/ my experiment/);
});

test('detectFormatting follows the file', () => {
  assert.deepEqual(detectFormatting('{\n\t"a": 1\n}'), { insertSpaces: false, tabSize: 4, eol: '\n' });
  assert.deepEqual(detectFormatting('{\r\n  "a": 1\r\n}'), { insertSpaces: true, tabSize: 2, eol: '\r\n' });
});

test('diffAsReplacement is the smallest single edit, and undefined for no change', () => {
  assert.equal(diffAsReplacement('abc', 'abc'), undefined);
  assert.deepEqual(diffAsReplacement('"scale": "none"', '"scale": "auto"'), { offset: 10, length: 4, content: 'auto' });
  const before = CONFIG;
  const after = applyConfigEdits(before, [{ path: ['data', 'scale'], value: 'auto' }]);
  const r = diffAsReplacement(before, after)!;
  assert.equal(before.slice(0, r.offset) + r.content + before.slice(r.offset + r.length), after);
});

test('spanForPath covers the value, or the nearest parent key when the key is absent', () => {
  const v = spanForPath(CONFIG, ['data', 'path'])!;
  assert.equal(CONFIG.slice(v.offset, v.offset + v.length), '"data/x.npy"');
  const parent = spanForPath(CONFIG, ['data', 'limit'])!;
  assert.equal(CONFIG.slice(parent.offset, parent.offset + parent.length), '"data"');
  assert.equal(spanForPath(CONFIG, ['model', 'imageSize']), undefined);
});
