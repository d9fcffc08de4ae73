// The four TLP 1.0 marking definitions exactly as STIX 2.1 section 7.2.1.4 predefines them (fixed ids
// and created times), so that every consumer recognises the marking without trusting our copy.

export type TlpLevel = 'white' | 'green' | 'amber' | 'red';
export const TLP_LEVELS: readonly TlpLevel[] = ['white', 'green', 'amber', 'red'];

const IDS: Readonly<Record<TlpLevel, string>> = {
  white: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  green: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  amber: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  red: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
};

export type TlpMarking = {
  readonly type: 'marking-definition';
  readonly spec_version: '2.1';
  readonly id: string;
  readonly created: string;
  readonly definition_type: 'tlp';
  readonly name: string;
  readonly definition: { readonly tlp: TlpLevel };
};

export function tlpMarking(level: TlpLevel): TlpMarking {
  return {
    type: 'marking-definition', spec_version: '2.1', id: IDS[level], created: '2017-01-20T00:00:00.000Z',
    definition_type: 'tlp', name: `TLP:${level.toUpperCase()}`, definition: { tlp: level },
  };
}

/** The TLP level of a marking id, when it is one of the four. */
export function tlpOf(markingId: string): TlpLevel | undefined {
  return TLP_LEVELS.find((l) => IDS[l] === markingId);
}
