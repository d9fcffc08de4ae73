// Reading the corpus captures in tiny blocks (records cut by every kind of block boundary, the
// buffer grown for records larger than a block) gives the same totals as reading them whole.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analyzeCapture } from '../../src/ingest/capture/pcap-driver.js';
import { HAS_CORPUS, corpusPath, skipWithoutCorpus } from '../helpers/paths.js';

const captures = HAS_CORPUS ? readdirSync(corpusPath('dcerpc')).filter((f) => /\.pcap(ng)?$/.test(f)).sort() : [];

describe('corpus captures read in small blocks', { skip: skipWithoutCorpus('dcerpc') }, () => {
  for (const blockBytes of [61, 1000]) {
    it(`every capture gives the same totals with ${blockBytes}-byte reads`, () => {
      for (const file of captures) {
        const whole = analyzeCapture(corpusPath('dcerpc', file));
        const blocks = analyzeCapture(corpusPath('dcerpc', file), { blockBytes });
        assert.deepEqual(blocks, whole, file);
      }
    });
  }
});
