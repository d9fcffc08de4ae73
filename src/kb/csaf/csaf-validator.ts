// CSAF 2.0 validation with @secvisogram/csaf-validator-lib: the strict schema (csaf_2_0_strict) + every mandatory
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
type Group = Exclude<CsafTestGroup, 'schema'>;
// Each module compiles its schemas with Ajv when imported (seconds of CPU for the optional tests), so
// every part is loaded on first use only: `vigil advisory new` needs schema and mandatory tests alone.
const loaded = new Map<string, Promise<unknown>>();
function once<T>(key: string, load: () => Promise<T>): Promise<T> {
  let p = loaded.get(key) as Promise<T> | undefined;
  if (!p) { p = load(); loaded.set(key, p); }
  return p;
}
const asTests = (m: unknown): Record<string, DocumentTest> =>
  Object.fromEntries(Object.entries(m as Record<string, unknown>).filter(([, f]) => typeof f === 'function')) as Record<string, DocumentTest>;
const strictSchema = (): Promise<DocumentTest> =>
  once('schema', async () => (await import('@secvisogram/csaf-validator-lib/schemaTests.js')).csaf_2_0_strict as unknown as DocumentTest);
function groupTests(group: Group): Promise<Record<string, DocumentTest>> {
  return once(group, async () => {
    if (group === 'mandatory') return asTests(await import('@secvisogram/csaf-validator-lib/mandatoryTests.js'));
    if (group === 'optional') return asTests(await import('@secvisogram/csaf-validator-lib/optionalTests.js'));
    return asTests(await import('@secvisogram/csaf-validator-lib/informativeTests.js'));
  });
}
/** The library's strict runner refuses functions it does not know, and it knows them by importing
 * every group (about 9 s of CPU). We pass only the library's own test functions, so its plain runner
 * (validate.js, same result shape) is used instead and only the groups needed are loaded. */
async function runTests(tests: DocumentTest[], doc: unknown): Promise<LibResult> {
  const validate = await once('validate', async () => (await import('@secvisogram/csaf-validator-lib/validate.js')).default);
  return (await validate(tests, doc)) as LibResult;
}

/** "mandatoryTest_6_1_27_1" -> "6.1.27.1". */
const idOf = (name: string): string => (/_(\d+(?:_\d+)+)$/.exec(name)?.[1] ?? name).replace(/_/g, '.');

export async function testsOf(group: Group): Promise<{ id: string; fn: DocumentTest }[]> {
  return Object.values(await groupTests(group)).map((fn) => ({ id: idOf(fn.name), fn })).filter((t) => !(t.id in EXCLUDED_TESTS));
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

const groupOfId = (id: string): Group[] => (id.startsWith('6.1.') ? ['mandatory'] : id.startsWith('6.2.') ? ['optional'] : ['informative']);

/** Whether one conformance test flags the document: an error for mandatory tests, any finding for the others. */
export async function runCsafTest(id: string, doc: unknown): Promise<CsafTestResult | undefined> {
  for (const group of groupOfId(id)) {
    const t = (await testsOf(group)).find((x) => x.id === id);
    if (!t) continue;
    const r = toResult(group, (await runTests([t.fn], doc)).tests[0]);
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
  const schema = toResult('schema', (await runTests([await strictSchema()], doc)).tests[0]);
  const results: CsafTestResult[] = [schema];
  const groups: Exclude<CsafTestGroup, 'schema'>[] = ['mandatory'];
  if (opts.optional !== false) groups.push('optional');
  if (opts.informative) groups.push('informative');
  for (const group of groups) {
    const out = await runTests((await testsOf(group)).map((t) => t.fn), doc);
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
