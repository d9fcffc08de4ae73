// CSAF 2.0 validation with @secvisogram/csaf-validator-lib (strict mode): strict schema + every mandatory
// test decide validity; optional tests are warnings; informative tests are opt-in. CSAF 2.0 section 6.
// Excluded (stated): 6.3.6/6.3.7 resolve URLs over the network, 6.3.8 needs hunspell.

// The library is imported lazily: loading it costs seconds of CPU (CWE catalogues, schemas), which
// every `vigil` command would otherwise pay at start-up.

export type CsafTestGroup = 'schema' | 'mandatory' | 'optional' | 'informative';
export interface CsafMessage { readonly message: string; readonly instancePath: string }
export interface CsafTestResult {
  /** "6.1.27.1", or "schema" for the strict schema test. */
  readonly id: string;
  readonly name: string;
  readonly group: CsafTestGroup;
  readonly isValid: boolean;
  readonly errors: readonly CsafMessage[];
  readonly warnings: readonly CsafMessage[];
  readonly infos: readonly CsafMessage[];
}
export interface CsafValidation {
  /** Strict schema and all mandatory tests pass. */
  readonly valid: boolean;
  readonly tests: readonly CsafTestResult[];
  readonly errorCount: number;
  readonly warningCount: number;
}

export const EXCLUDED_TESTS: Readonly<Record<string, string>> = {
  '6.3.6': 'resolves non-self-referencing URLs over the network',
  '6.3.7': 'resolves self-referencing URLs over the network',
  '6.3.8': 'spell check needs hunspell and its dictionaries',
};

type DocumentTest = ((doc: unknown) => unknown) & { name: string };
interface LibResult { isValid: boolean; tests: { name: string; isValid: boolean; errors: CsafMessage[]; warnings: CsafMessage[]; infos: CsafMessage[] }[] }
interface Lib {
  runStrict: (tests: DocumentTest[], doc: unknown) => Promise<LibResult>;
  strictSchema: DocumentTest;
  groups: Record<Exclude<CsafTestGroup, 'schema'>, Record<string, DocumentTest>>;
}
let libPromise: Promise<Lib> | undefined;
function lib(): Promise<Lib> {
  libPromise ??= (async () => {
    const [v, schema, mandatory, optional, informative] = await Promise.all([
      import('@secvisogram/csaf-validator-lib/validateStrict.js'),
      import('@secvisogram/csaf-validator-lib/schemaTests.js'),
      import('@secvisogram/csaf-validator-lib/mandatoryTests.js'),
      import('@secvisogram/csaf-validator-lib/optionalTests.js'),
      import('@secvisogram/csaf-validator-lib/informativeTests.js'),
    ]);
    const asTests = (m: unknown): Record<string, DocumentTest> =>
      Object.fromEntries(Object.entries(m as Record<string, unknown>).filter(([, f]) => typeof f === 'function')) as Record<string, DocumentTest>;
    return {
      runStrict: v.default as unknown as Lib['runStrict'],
      strictSchema: schema.csaf_2_0_strict as unknown as DocumentTest,
      groups: { mandatory: asTests(mandatory), optional: asTests(optional), informative: asTests(informative) },
    };
  })();
  return libPromise;
}

/** "mandatoryTest_6_1_27_1" -> "6.1.27.1". */
const idOf = (name: string): string => (/_(\d+(?:_\d+)+)$/.exec(name)?.[1] ?? name).replace(/_/g, '.');

export async function testsOf(group: Exclude<CsafTestGroup, 'schema'>): Promise<{ id: string; fn: DocumentTest }[]> {
  const { groups } = await lib();
  return Object.values(groups[group]).map((fn) => ({ id: idOf(fn.name), fn })).filter((t) => !(t.id in EXCLUDED_TESTS));
}

const PROFILE_VALUES = ['csaf_base', 'csaf_security_incident_response', 'csaf_informational_advisory', 'csaf_security_advisory', 'csaf_vex'];
const squash = (s: string): string => s.replace(/[-_\s]+/g, '').toLowerCase();

/** CSAF 2.0 6.1.26 also forbids a category equal to another profile's *value* once dashes, whitespace
 * and underscores are removed ("csafsecurityadvisory"); the library checks only the names, so we add it. */
function prohibitedCategoryValue(doc: unknown): CsafMessage[] {
  const category = (doc as { document?: { category?: unknown } })?.document?.category;
  if (typeof category !== 'string' || PROFILE_VALUES.includes(category)) return [];
  const hit = PROFILE_VALUES.slice(1).find((v) => squash(v) === squash(category));
  return hit ? [{ message: `prohibited document category: equals the profile value "${hit}" without separators`, instancePath: '/document/category' }] : [];
}

function toResult(group: CsafTestGroup, t: LibResult['tests'][number]): CsafTestResult {
  return { id: group === 'schema' ? 'schema' : idOf(t.name), name: t.name, group, isValid: t.isValid, errors: t.errors, warnings: t.warnings, infos: t.infos };
}

/** Whether one conformance test flags the document: an error for mandatory tests, any finding for the others. */
export async function runCsafTest(id: string, doc: unknown): Promise<CsafTestResult | undefined> {
  for (const group of ['mandatory', 'optional', 'informative'] as const) {
    const t = (await testsOf(group)).find((x) => x.id === id);
    if (!t) continue;
    const r = toResult(group, (await (await lib()).runStrict([t.fn], doc)).tests[0]);
    if (id !== '6.1.26') return r;
    const extra = prohibitedCategoryValue(doc);
    return extra.length ? { ...r, isValid: false, errors: [...r.errors, ...extra] } : r;
  }
  return undefined;
}

export const flags = (r: CsafTestResult): boolean => !r.isValid || r.errors.length + r.warnings.length + r.infos.length > 0;

export interface ValidateOptions {
  readonly optional?: boolean;
  readonly informative?: boolean;
}

export async function validateCsaf(doc: unknown, opts: ValidateOptions = {}): Promise<CsafValidation> {
  const { runStrict, strictSchema } = await lib();
  const schema = toResult('schema', (await runStrict([strictSchema], doc)).tests[0]);
  const results: CsafTestResult[] = [schema];
  const groups: Exclude<CsafTestGroup, 'schema'>[] = ['mandatory'];
  if (opts.optional !== false) groups.push('optional');
  if (opts.informative) groups.push('informative');
  for (const group of groups) {
    const out = await runStrict((await testsOf(group)).map((t) => t.fn), doc);
    for (const t of out.tests) {
      let r = toResult(group, t);
      if (r.id === '6.1.26') {
        const extra = prohibitedCategoryValue(doc);
        if (extra.length) r = { ...r, isValid: false, errors: [...r.errors, ...extra] };
      }
      // Optional tests never make a document invalid: their findings are warnings.
      if (group !== 'mandatory') r = { ...r, isValid: true, warnings: [...r.warnings, ...r.errors], errors: [] };
      results.push(r);
    }
  }
  const valid = results.filter((r) => r.group === 'schema' || r.group === 'mandatory').every((r) => r.isValid);
  return {
    valid,
    tests: results,
    errorCount: results.reduce((n, r) => n + r.errors.length, 0),
    warningCount: results.reduce((n, r) => n + r.warnings.length, 0),
  };
}

/** CWE id -> name from the catalogue the validator checks names against (mandatory test 6.1.11). */
export async function loadCweNames(): Promise<Map<string, string>> {
  const { weaknesses } = await import('@secvisogram/csaf-validator-lib/cwe.js');
  return new Map(weaknesses.map((w) => [w.id, w.name]));
}
