# impacket client for the DCE/RPC auth interop test: over \pipe\epmapper on a given port (an
# anonymous SMB2 session), an NTLM-authenticated bind at packet integrity to mgmt, then inq_if_ids.
# argv: port domain user workstation. impacket sends no workstation name in its own NTLMSSP, so the
# NEGOTIATE builder is wrapped to name one (the AUTHENTICATE copies it from there).
import sys
from impacket import ntlm
from impacket.dcerpc.v5 import mgmt, rpcrt, transport

port, domain, user, workstation = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
_type1 = ntlm.getNTLMSSPType1
ntlm.getNTLMSSPType1 = lambda ws='', dom='', *a, **kw: _type1(workstation, dom, *a, **kw)

t = transport.DCERPCTransportFactory(r'ncacn_np:127.0.0.1[\pipe\epmapper]')
t.set_dport(port)
t.set_credentials('', '', '', '', '')
dce = t.get_dce_rpc()
dce.set_credentials(user, 'any-password', domain, '', '')
dce.set_auth_type(rpcrt.RPC_C_AUTHN_WINNT)
dce.set_auth_level(rpcrt.RPC_C_AUTHN_LEVEL_PKT_INTEGRITY)
dce.connect()
dce.bind(mgmt.MSRPC_UUID_MGMT)
ifids = mgmt.hinq_if_ids(dce)
print('interfaces', ifids['if_id_vector']['count'])
dce.disconnect()
