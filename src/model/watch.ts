// An indicator a partner shared (STIX 2.1 over TAXII 2.1, or a bundle file): an address or prefix
// whose traffic raises an alert naming the partner and the indicator.

export interface WatchIndicator {
  /** An IPv4/IPv6 address or CIDR prefix. */
  readonly value: string;
  /** Who shared it (the TAXII push source, the polled partner, or the bundle's producer). */
  readonly partner: string;
  /** The STIX indicator id. */
  readonly indicatorId: string;
  /** The indicator's name or pattern, for the alert title. */
  readonly name: string;
  /** ms since epoch after which it no longer applies (valid_until); none = open-ended. */
  readonly validUntil?: number;
}
