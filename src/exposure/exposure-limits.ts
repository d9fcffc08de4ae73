// Named limits of inventory imports (issue 13): every file a team hands us is hostile input, bounded
// per file and per host, and over a limit the whole file is refused (nothing half-imported).

import type { LimitTable } from '../core/limits.js';

export const IMPORT_LIMITS = {
  maxFileBytes: {
    default: 256 * 1024 * 1024, min: 1024, max: 4 * 1024 * 1024 * 1024, unit: 'bytes',
    doc: 'largest inventory file read (nmap -oX of a /16 with -sV is tens of MB)',
  },
  maxHosts: {
    default: 1_000_000, min: 1, max: 100_000_000, unit: 'hosts',
    doc: 'hosts one file may describe (a /12 sweep); past it the file is refused',
  },
  maxFactsPerHost: {
    default: 70_000, min: 16, max: 10_000_000, unit: 'facts',
    doc: 'facts (addresses, names, services, programs, hotfixes) one host may carry: all 65,535 ports plus room',
  },
  maxValueLength: {
    default: 1024, min: 64, max: 65_536, unit: 'characters',
    doc: 'longest single value (a host name, CPE, banner or program name); longer values are refused, not cut',
  },
  maxXmlDepth: {
    default: 64, min: 8, max: 4096, unit: 'elements',
    doc: 'nesting depth of an XML document (nmap nests about 8 deep)',
  },
  maxJsonDocumentBytes: {
    default: 64 * 1024 * 1024, min: 1024, max: 1024 * 1024 * 1024, unit: 'bytes',
    doc: 'largest whole-document JSON file (masscan -oJ, osqueryi --json arrays), which is parsed in memory: a few times this much heap',
  },
  maxLineBytes: {
    default: 1024 * 1024, min: 1024, max: 64 * 1024 * 1024, unit: 'bytes',
    doc: 'longest line of a line-oriented file (masscan -oL, naabu JSON lines, osquery results log, CSV record)',
  },
} as const satisfies LimitTable;

export type ImportLimits = { readonly [K in keyof typeof IMPORT_LIMITS]: number };
