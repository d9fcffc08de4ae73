// Windows product names and NT versions -> the CPE 2.3 platform names the knowledge base matches
// (NVD's cpe:2.3:o:microsoft:windows_xp etc.), for inventories that name an OS but give no CPE
// (osquery os_version, CSV, a scan's fingerprint). Table as data; order matters (2008 R2 before 2008).

const WINDOWS_BY_NAME: readonly [RegExp, string][] = [
  [/\bnt\b.*\b4(\.0)?\b|\bnt ?4\b/i, 'windows_nt:4.0'],
  [/\b2000\b/i, 'windows_2000'],
  [/\bxp\b/i, 'windows_xp'],
  [/server 2003/i, 'windows_server_2003'],
  [/\bvista\b/i, 'windows_vista'],
  [/server 2008 r2/i, 'windows_server_2008:r2'],
  [/server 2008/i, 'windows_server_2008'],
  [/server 2012 r2/i, 'windows_server_2012:r2'],
  [/server 2012/i, 'windows_server_2012'],
  [/server 2016/i, 'windows_server_2016'],
  [/server 2019/i, 'windows_server_2019'],
  [/server 2022/i, 'windows_server_2022'],
  [/windows 7\b/i, 'windows_7'],
  [/windows 8\.1\b/i, 'windows_8.1'],
  [/windows 8\b/i, 'windows_8'],
  [/windows 10\b/i, 'windows_10'],
  [/windows 11\b/i, 'windows_11'],
];

/** NT kernel versions (major.minor.build) of the 2003-era systems, for a name that says only "Windows". */
const WINDOWS_BY_BUILD: Readonly<Record<string, string>> = {
  '4.0.1381': 'windows_nt:4.0',
  '5.0.2195': 'windows_2000',
  '5.1.2600': 'windows_xp',
  '5.2.3790': 'windows_server_2003',
};

/** CPE 2.3 of a Windows OS named in free text (and optionally its NT version), or undefined. */
export function windowsCpe(name: string, version?: string): string | undefined {
  if (!/windows|microsoft/i.test(name)) return undefined;
  let product = WINDOWS_BY_NAME.find(([re]) => re.test(name))?.[1];
  if (product === undefined && version !== undefined) {
    const build = /^(\d+\.\d+\.\d+)/.exec(version)?.[1];
    if (build !== undefined) product = WINDOWS_BY_BUILD[build];
  }
  if (product === undefined) return undefined;
  const [prod, ver] = product.split(':');
  return `cpe:2.3:o:microsoft:${prod}:${ver ?? '*'}:*:*:*:*:*:*:*`;
}
