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
    { name: 'no-cli-imports', comment: 'cli is the composition root: nothing imports it', severity: 'error', from: { pathNot: '^src/cli/' }, to: { path: '^src/cli/' } },
    {
      // issue 11: the capture engine once grew in src/cli/pcap; cli may name protocol types and
      // format decoded PDUs, but bytes reach the engine only through ingest (or the sensor).
      name: 'cli-no-engine',
      comment: 'cli may not run the TCP/pcap engine or DCE/RPC framing itself: that is ingest (docs/architecture.md)',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/protocols/(pcap/|dcerpc/(framer|connection|reassembly)[.])', dependencyTypesNot: ['type-only'] },
    },
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
    onlyMay('share', ['kb', 'core', 'model']),
    onlyMay('server', ['store', 'detect', 'kb', 'exposure', 'share', 'core', 'model']),
    onlyMay('web', ['store', 'detect', 'kb', 'exposure', 'share', 'core', 'model']),
    // fleet: the sensor -> hub transport; it writes through the Store interface only (DESIGN.md).
    onlyMay('fleet', ['store', 'core', 'model']),
    {
      name: 'fleet-store-interface',
      comment: 'fleet uses the Store interface, never a concrete backend (the CLI injects one)',
      severity: 'error',
      from: { path: '^src/fleet/' },
      to: { path: '^src/store/', pathNot: '^src/store/store[.]ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
