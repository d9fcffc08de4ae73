// Public API of the scanner library (DESIGN.md `scan/`): scope, runScan with onResult, outputs.

export { Scope, DEFAULT_SCOPE_ENTRIES, resolveTargets, scopeFileEntries, type Resolver } from './scope.js';
export { runScan, DEFAULT_SCAN_PORTS, KNOWN_CHECKS, type ScanOptions, type ScanProgress, type ScanSummary } from './scanner.js';
export { SCAN_LIMITS, type ScanLimitName } from './scan-limits.js';
export { ScanStateStore, scanKey } from './scan-state.js';
export { CyclicPermutation } from './permutation.js';
export { defaultConnector, socketConnector, type Connector } from './probes/tcp-connect.js';
export type { SmbProbe } from './host-scan.js';
export { nmapXmlHeader, nmapXmlHost, nmapXmlFooter } from './outputs/nmap-xml.js';
export { progressLine } from './outputs/progress-line.js';
