// CPE 2.3 bindings: formatted string and URI parsing/binding against NISTIR 7695 examples, must-fail
// inputs, and fast-check round trips (WFN -> binding -> WFN is the identity).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ANY, NA, WFN_ATTRIBUTES, parseCpe, parseFormattedString, parseUri, quote, toFormattedString, toUri, unquote, wfn,
  type Wfn, type WfnValue,
} from '../../src/kb/cpe/cpe-binding.js';

test('formatted string unbinds into a WFN with quoted punctuation and logical values', () => {
  const w = parseFormattedString('cpe:2.3:o:microsoft:windows_8.1:-:*:*:*:*:*:x64:*');
  assert.equal(w.part, 'o');
  assert.equal(w.product, 'windows_8\\.1');
  assert.equal(w.version, NA);
  assert.equal(w.update, ANY);
  assert.equal(w.target_hw, 'x64');
  assert.equal(unquote(w.product), 'windows_8.1');
});

test('NISTIR 7695 example: escaped colon and wildcards survive formatted-string round trip', () => {
  const fs = 'cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*';
  assert.equal(toFormattedString(parseFormattedString(fs)), fs);
  const withColon = 'cpe:2.3:a:foo\\:bar:big\\$money:2010:*:*:*:special:ipod_touch:80gb:*';
  const w = parseFormattedString(withColon);
  assert.equal(w.vendor, 'foo\\:bar');
  assert.equal(w.product, 'big\\$money');
  assert.equal(toFormattedString(w), withColon);
  assert.equal(parseFormattedString('cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*').version, '8\\.*');
});

test('URI binding: nmap-style URIs, percent-encoding and packed editions', () => {
  const w = parseUri('cpe:/o:microsoft:windows_7::sp1');
  assert.equal(w.product, 'windows_7');
  assert.equal(w.version, ANY);
  assert.equal(w.update, 'sp1');
  assert.equal(w.other, ANY);
  assert.equal(toUri(w), 'cpe:/o:microsoft:windows_7::sp1');
  const packed = parseUri('cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~');
  assert.equal(packed.sw_edition, 'online');
  assert.equal(packed.target_sw, 'win2003');
  assert.equal(packed.target_hw, 'x64');
  assert.equal(packed.edition, ANY);
  assert.equal(toUri(packed), 'cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~');
  assert.equal(parseUri('cpe:/a:foo%5cbar:big%24money').product, 'big\\$money');
  // The same product through both bindings is the same WFN.
  assert.deepEqual(parseCpe('cpe:/a:apache:http_server:2.4.49'), parseCpe('cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*'));
});

test('must-fail names are rejected with the reason', () => {
  const bad: [string, RegExp][] = [
    ['cpe:2.3:a:vendor:product', /13 colon-separated/],
    ['cpe:2.3:x:vendor:product:1:*:*:*:*:*:*:*', /part must be a, o or h/],
    ['cpe:2.3:a:ven*dor:product:1:*:*:*:*:*:*:*', /"\*" is allowed only/],
    ['cpe:2.3:a:vendor:pro?duct:1:*:*:*:*:*:*:*', /"\?" is allowed only/],
    ['cpe:2.3:a:vendor::1:*:*:*:*:*:*:*', /empty component/],
    ['cpe:/a:vendor:product:1%zz', /bad percent-encoding/],
    ['cpe:/a:vendor:pro$duct', /must be percent-encoded/],
    ['cpe:/a:v:p:1:2:3:4:5', /at most 7/],
    ['http://example.com', /does not start/],
  ];
  for (const [name, why] of bad) assert.throws(() => parseCpe(name), why, name);
});

// Arbitrary WFN string values: plain text quoted, optionally with a leading/trailing wildcard.
const text = fc.stringMatching(/^[a-z0-9_.\-$!:~]{1,12}$/);
const value: fc.Arbitrary<WfnValue> = fc.oneof(
  fc.constant(ANY as WfnValue),
  fc.constant(NA as WfnValue),
  text.map(quote),
  fc.tuple(fc.constantFrom('*', '?', '??', ''), text, fc.constantFrom('*', '?', '')).map(([a, t, b]) => a + quote(t) + b),
);
const arbWfn: fc.Arbitrary<Wfn> = fc
  .tuple(fc.constantFrom('a', 'o', 'h'), ...WFN_ATTRIBUTES.slice(1).map(() => value))
  .map(([part, ...rest]) => wfn(Object.fromEntries([['part', part], ...WFN_ATTRIBUTES.slice(1).map((a, i) => [a, rest[i]])])));

test('property: WFN -> formatted string -> WFN is the identity', () => {
  fc.assert(fc.property(arbWfn, (w) => { assert.deepEqual(parseFormattedString(toFormattedString(w)), w); }), { numRuns: 500 });
});

test('property: WFN -> URI -> WFN is the identity (values URI can carry)', () => {
  // "~" is the URI packing separator and "-"/"." stay literal; all three are quoted in WFN, so they round-trip.
  fc.assert(fc.property(arbWfn, (w) => { assert.deepEqual(parseUri(toUri(w)), w); }), { numRuns: 500 });
});

test('property: formatted string -> URI -> formatted string keeps the name', () => {
  fc.assert(fc.property(arbWfn, (w) => {
    const fs = toFormattedString(w);
    assert.equal(toFormattedString(parseUri(toUri(parseFormattedString(fs)))), fs);
  }), { numRuns: 300 });
});
