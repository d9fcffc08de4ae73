// Import directions of ../shared/DESIGN.md, enforced in CI (npm run lint) so the layering cannot erode.
/** @type {import('dependency-cruiser').IConfiguration} */
const mod = (m) => `^src/${m}/`;
const onlyMay = (from, allowed) => ({
  name: `${from}-imports`,
  comment: `${from} may import only ${allowed.join(', ') || 'nothing of ours'}`,
  severity: 'error',
  from: { path: mod(from) },
  to: { path: '^src/', pathNot: [mod(from), ...allowed.map(mod)] },
});
module.exports = {
  forbidden: [
    { name: 'no-cli-imports', severity: 'error', from: { pathNot: '^src/cli/' }, to: { path: '^src/cli/' } },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    onlyMay('core', []),
    onlyMay('model', ['core']),
    onlyMay('protocols', ['core', 'model']),
    onlyMay('kb', ['core', 'model']),
    onlyMay('ingest', ['core', 'model', 'protocols']),
    onlyMay('store', ['core', 'model']),
    onlyMay('sensor', ['protocols', 'kb', 'core', 'model']),
    onlyMay('scan', ['protocols', 'kb', 'core', 'model']),
    onlyMay('detect', ['kb', 'core', 'model', 'protocols']),
    onlyMay('outbreak', ['kb', 'core', 'model', 'detect']),
    onlyMay('exposure', ['kb', 'core', 'model']),
    onlyMay('server', ['store', 'detect', 'kb', 'exposure', 'core', 'model']),
    onlyMay('web', ['model']),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
