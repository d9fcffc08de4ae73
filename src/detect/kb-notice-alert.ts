// A feed watcher's notice (src/kb/watch) as an alert, so that "a new vulnerability matches what we
// run" reaches the same store, webhooks, e-mail and dashboard as a detection. Detector `kb`.

import type { Alert } from '../model/alert.js';
import type { Severity } from '../model/anomaly.js';
import type { VulnNotice } from '../kb/watch/feed-watcher.js';
import { makeAlert } from './alert-factory.js';

/** KEV means exploited in the wild: high. A jump in EPSS or a new record ranks by its CVSS. */
function severityOf(n: VulnNotice): Severity {
  if (n.kind === 'kev_added') return 'high';
  if (n.kind === 'notices_dropped') return 'medium';
  const c = n.cvss ?? 0;
  if (n.kind === 'epss_jump') return c >= 7 ? 'high' : 'medium';
  return c >= 9 ? 'high' : c >= 7 ? 'medium' : 'low';
}

function titleOf(n: VulnNotice): string {
  const what = `${n.vulnId}${n.title ? ` (${n.title})` : ''}`;
  const why = n.reasons.length > 0 ? `; matches ${n.reasons.slice(0, 3).join(', ')}${n.reasons.length > 3 ? ` and ${n.reasons.length - 3} more` : ''}` : '';
  switch (n.kind) {
    case 'kev_added': return `${what} added to CISA KEV (known exploited)${why}`;
    case 'epss_jump': return `${what}: EPSS rose from ${n.epssBefore?.toFixed(3)} to ${n.epss?.toFixed(3)}${why}`;
    case 'published': return `new vulnerability ${what}${why}`;
    case 'changed': return `vulnerability ${what} changed (${n.sources.join(', ')})${why}`;
    case 'notices_dropped': return `${n.dropped} further feed notices not raised (max_notices_per_run)`;
  }
}

export function noticeAlert(n: VulnNotice, ts: number): Alert {
  return makeAlert({
    ts, detector: 'kb', rule: `kb_${n.kind}`, severity: severityOf(n), title: titleOf(n),
    cves: n.vulnId === '-' ? [] : [n.vulnId],
    evidence: { reasons: n.reasons, sources: n.sources, cvss: n.cvss, epss: n.epss, epssBefore: n.epssBefore, kevAdded: n.kevAdded, kevDue: n.kevDue, dropped: n.dropped },
    // one alert per vulnerability and kind within the suppression window, whatever the run
    dedupKey: `kb:${n.kind}:${n.vulnId}`,
  });
}
