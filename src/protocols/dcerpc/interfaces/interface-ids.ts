// UUIDs and versions of the interfaces Vigil decodes (C706 appendix O; MS-RPCE 2.2.1.2;
// MS-DCOM 1.9). Names for display live in src/kb/dcerpc-names.ts.

export interface InterfaceId {
  readonly uuid: string;
  readonly versionMajor: number;
  readonly versionMinor: number;
}

export const EPM: InterfaceId = { uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', versionMajor: 3, versionMinor: 0 };
export const MGMT: InterfaceId = { uuid: 'afa8bd80-7d8a-11c9-bef4-08002b102989', versionMajor: 1, versionMinor: 0 };
export const IOXID_RESOLVER: InterfaceId = { uuid: '99fcfec4-5260-101b-bbcb-00aa0021347a', versionMajor: 0, versionMinor: 0 };
export const IREMOTE_ACTIVATION: InterfaceId = { uuid: '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57', versionMajor: 0, versionMinor: 0 };
export const ISYSTEM_ACTIVATOR: InterfaceId = { uuid: '000001a0-0000-0000-c000-000000000046', versionMajor: 0, versionMinor: 0 };

export const OPNUM = {
  eptLookup: 2,
  eptMap: 3,
  inqIfIds: 0,
  serverAlive2: 5,
  remoteActivation: 0,
  remoteGetClassObject: 3,
  remoteCreateInstance: 4,
} as const;

/** MS-DCOM 2.2.22.2 activation property CLSIDs and the OBJREF_CUSTOM unmarshaler CLSIDs. */
export const ACTIVATION_CLSID = {
  ActivationPropertiesIn: '00000338-0000-0000-c000-000000000046',
  ActivationPropertiesOut: '00000339-0000-0000-c000-000000000046',
  SpecialPropertiesData: '000001b9-0000-0000-c000-000000000046',
  InstantiationInfoData: '000001ab-0000-0000-c000-000000000046',
  ActivationContextInfoData: '000001a5-0000-0000-c000-000000000046',
  LocationInfoData: '000001a4-0000-0000-c000-000000000046',
  ScmRequestInfoData: '000001aa-0000-0000-c000-000000000046',
  SecurityInfoData: '000001a6-0000-0000-c000-000000000046',
  InstanceInfoData: '000001ad-0000-0000-c000-000000000046',
  ScmReplyInfoData: '000001b6-0000-0000-c000-000000000046',
} as const;

export const IID_IACTIVATION_PROPERTIES_IN = '000001a2-0000-0000-c000-000000000046';
export const IID_IUNKNOWN = '00000000-0000-0000-c000-000000000046';

/** `b` is lower-case. Equal strings and a differing first character are settled without
 * toLowerCase(), which makes a new string on every call (dispatch compares each request's UUID
 * with several): a UUID that lower-cases to `b` is ASCII, so its first character folds with | 0x20. */
export const sameUuid = (a: string | undefined, b: string): boolean =>
  a === b || (a !== undefined && a.length === b.length && (a.charCodeAt(0) | 0x20) === (b.charCodeAt(0) | 0x20) && a.toLowerCase() === b);
