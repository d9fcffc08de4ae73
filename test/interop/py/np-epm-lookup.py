# impacket client for the SMB interop test: ept_lookup through \pipe\epmapper on a given port (the
# impacket-rpcdump tool only connects to 445), over SMB2 or, with "smb1", SMB1; prints what it got.
import sys
from impacket import smb
from impacket.dcerpc.v5 import epm, transport

port = int(sys.argv[1])
t = transport.DCERPCTransportFactory(r'ncacn_np:127.0.0.1[\pipe\epmapper]')
t.set_dport(port)
t.set_credentials('', '', '', '', '')
if len(sys.argv) > 2 and sys.argv[2] == 'smb1':
    t.preferred_dialect(smb.SMB_DIALECT)
dce = t.get_dce_rpc()
dce.connect()
dce.bind(epm.MSRPC_UUID_PORTMAP)
entries = epm.hept_lookup(None, dce=dce)
print('entries', len(entries))
for e in entries:
    print(epm.PrintStringBinding(e['tower']['Floors']))
c = t.get_smb_connection()
print('server', c.getServerName(), c.getServerDomain(), c.getServerOS(), c.getDialect())
dce.disconnect()
