// Endpoints of a connection or datagram flow, as seen from the client (originator) side.

export type Transport = 'tcp' | 'udp';

export interface Flow {
  readonly proto: Transport;
  /** Originator (client) address, textual IPv4 or IPv6. */
  readonly src: string;
  readonly sport: number;
  /** Responder (server) address. */
  readonly dst: string;
  readonly dport: number;
}

/** Direction of a message within a flow: from the originator, or from the responder. */
export type Direction = 'to_server' | 'to_client';

export function flowKey(f: Flow): string {
  return `${f.proto}:${f.src}:${f.sport}>${f.dst}:${f.dport}`;
}
