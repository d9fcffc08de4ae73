// Streams the elements of one top-level array of a large JSON file (NVD pages, the KEV catalog) with
// stream-json, so that a file is never held in memory whole; parse errors become ImportErrors.

import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import streamJson from 'stream-json';
import Pick from 'stream-json/filters/Pick.js';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import { ImportError } from './import-errors.js';

export interface ArrayElement {
  readonly index: number;
  readonly value: unknown;
}

/** Calls `onElement` for each element of the array at top-level key `key`, with back-pressure:
 * the next element is parsed only after the (possibly async) callback returns. */
export async function streamTopLevelArray(
  file: string,
  key: string,
  onElement: (e: ArrayElement) => void | Promise<void>,
): Promise<number> {
  let count = 0;
  const sink = new Writable({
    objectMode: true,
    write(chunk: { key: number; value: unknown }, _enc, done) {
      count++;
      Promise.resolve(onElement({ index: chunk.key, value: chunk.value })).then(() => done(), done);
    },
  });
  try {
    await pipeline(
      createReadStream(file),
      streamJson.parser(),
      Pick.pick({ filter: key }),
      StreamArray.streamArray(),
      sink,
    );
  } catch (e) {
    if (e instanceof ImportError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new ImportError(file, `/${key}`, `well-formed JSON (${msg})`);
  }
  return count;
}
