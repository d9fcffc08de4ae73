// Turning listen() failures into coded errors a user can act on: a privileged port without the
// right to bind it gets the three documented ways out (offset, capability, redirect).

import { AppError } from '../core/errors.js';

export function privilegedPortError(port: number, host: string, cause: unknown): AppError {
  const high = 10_000 + port;
  return new AppError(
    'VIGIL_ERR_BIND_PRIVILEGED',
    [
      `cannot listen on ${host} port ${port}: ports below 1024 need privileges this process does not have (EACCES).`,
      'Choose one:',
      `  1. a port offset: vigil up --port-offset 10000 (listens on ${high} for ${port}; set sensor.portOffset in the config),`,
      '  2. the capability to bind low ports: sudo setcap cap_net_bind_service=+ep "$(readlink -f "$(which node)")",',
      `  3. a redirect from ${port} to the offset port: sudo iptables -t nat -A PREROUTING -p tcp --dport ${port} -j REDIRECT --to-ports ${high}`,
      `     (nftables: nft add rule ip nat prerouting tcp dport ${port} redirect to :${high}).`,
    ].join('\n'),
    { port, host },
    { cause },
  );
}

export function listenError(port: number, host: string, cause: unknown): AppError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' && port < 1024) return privilegedPortError(port, host, cause);
  if (code === 'EADDRINUSE') {
    return new AppError('VIGIL_ERR_CONFIG', `cannot listen on ${host} port ${port}: the port is already in use (another service, or another vigil node); choose sensor.portOffset or other sensor.ports`, { port, host }, { cause });
  }
  return new AppError('VIGIL_ERR_CONFIG', `cannot listen on ${host} port ${port}: ${code ?? String(cause)}`, { port, host }, { cause });
}

/** Errors that mean "this address family is not available here" (no IPv6 on the host). */
export function isFamilyUnavailable(cause: unknown): boolean {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL' || code === 'EPROTONOSUPPORT';
}
