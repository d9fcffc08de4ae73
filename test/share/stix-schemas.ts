// The OASIS STIX 2.1 JSON schemas (cti-stix2-json-schemas, BSD-3-Clause, in ../shared/corpus/kb/stix)
// loaded into ajv 8 (draft 2020-12): validate one object by its type, with the interop profile where one exists.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { corpusPath } from '../helpers/paths.js';

const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;
const addFormats = addFormatsModule.default ?? addFormatsModule;
export const STIX_DIR = corpusPath('kb', 'stix');
const INTEROP_TYPOS: Readonly<Record<string, string>> = { capabiliites: 'capabilities', architecture_exectuion_envs: 'architecture_execution_envs', 'external_references:': 'external_references' };
const BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/';

export interface StixValidator {
  /** Error text, or undefined when the object validates against every schema that applies to it. */
  check(o: { type: string }): string | undefined;
  checkBundle(b: unknown): string | undefined;
}

export function loadStixValidator(): StixValidator {
  const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  ajv.addFormat('idn-hostname', true); // domain-name's format; ajv-formats has none (IDN checks are not ours to test)
  const ids = new Map<string, string>();
  for (const dir of ['schemas/common', 'schemas/sdos', 'schemas/sros', 'schemas/observables', 'interop']) {
    for (const f of readdirSync(join(STIX_DIR, dir)).filter((x) => x.endsWith('.json'))) {
      const schema = JSON.parse(readFileSync(join(STIX_DIR, dir, f), 'utf8')) as { $id?: string };
      // Some interop files repeat another's $id: key every schema by where it lies instead.
      delete schema.$id;
      // Two interop profiles require misspelled names no STIX object has ('capabiliites',
      // 'architecture_exectuion_envs', 'external_references:'): require the property they mean instead.
      const req = (schema as { required?: string[] }).required;
      if (dir === 'interop' && req) (schema as { required?: string[] }).required = req.map((r) => INTEROP_TYPOS[r] ?? r);
      const id = `${BASE}${dir}/${f}`;
      ajv.addSchema(schema, id);
      ids.set(`${dir}/${f}`, id);
    }
  }
  const run = (key: string, o: unknown): string | undefined => {
    const id = ids.get(key);
    if (id === undefined) return undefined;
    const v = ajv.getSchema(id);
    if (!v) throw new Error(`schema ${id} not compiled`);
    return v(o) ? undefined : `${key}: ${ajv.errorsText(v.errors)}`;
  };
  return {
    check(o) {
      const t = o.type;
      const base = ['sdos', 'sros', 'observables'].map((d) => `schemas/${d}/${t}.json`).find((k) => ids.has(k))
        ?? (t === 'marking-definition' ? 'schemas/common/marking-definition.json' : undefined);
      if (base === undefined) return `no schema for type ${t}`;
      return run(base, o) ?? run(`interop/${t}.json`, o);
    },
    checkBundle(b) {
      return run('schemas/common/bundle.json', b);
    },
  };
}

export { BASE as STIX_SCHEMA_BASE };
