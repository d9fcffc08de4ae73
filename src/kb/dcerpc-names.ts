// DCE/RPC interface, operation and fault names as ONE data table: UUID -> interface, (UUID, opnum) ->
// operation, status -> fault. Every consumer (sensor persona and records, capture, replay, CLI, API)
// reads names here. Interface and operation names are Zeek's (scripts/base/protocols/dce-rpc/consts.zeek
// uuid_endpoint_map / operations), so our call records match its dce_rpc.log; Wireshark's dissector
// name is kept beside it where it differs (`wireshark`). They differ for the three DCOM interfaces of
// port 135: Zeek logs 4d9f4ab8 as IActivation, 000001a0 as IRemoteSCMActivator and 99fcfec4 as
// IObjectExporter, where Wireshark says IRemoteActivation, ISystemActivator and IOXIDResolver; we log
// Zeek's. Interfaces neither tool names take MS-DCOM / MS-OAUT / MS-EFSR names, or rpcdump's for the
// RPCSS-local ones. Fault names: Wireshark packet-dcerpc.c reject_status_vals (C706 appendix E,
// MS-RPCE 2.2.2.11). Hand-typed: no library carries these names.

export interface InterfaceNames {
  /** The name Zeek's dce_rpc.log uses (or the protocol's own name when Zeek has none). */
  readonly name: string;
  /** Wireshark's protocol short name where it differs (e.g. ISystemActivator for Zeek's IRemoteSCMActivator). */
  readonly wireshark?: string;
  /** Operation names by opnum; `-` marks an opnum the interface does not use. */
  readonly ops: readonly string[] | null;
}

/** Operations by opnum, written as one space-separated list so the table stays one line per interface. */
function seq(names: string): readonly string[] {
  return names.split(/\s+/).filter((s) => s.length > 0);
}

export const DCERPC_INTERFACES: Readonly<Record<string, InterfaceNames>> = {
  'e1af8308-5d1f-11c9-91a4-08002b14a0fa': { name: 'epmapper', wireshark: 'EPM', ops: seq(
    'ept_insert ept_delete ept_lookup ept_map ept_lookup_handle_free ept_inq_object ept_mgmt_delete ' +
    'ept_map_auth ept_map_auth_async'
  ) },
  'afa8bd80-7d8a-11c9-bef4-08002b102989': { name: 'mgmt', wireshark: 'MGMT', ops: seq(
    'inq_if_ids inq_stats is_server_listening stop_server_listening inq_princ_name'
  ) },
  '99fcfec4-5260-101b-bbcb-00aa0021347a': { name: 'IObjectExporter', wireshark: 'IOXIDResolver', ops: seq(
    'ResolveOxid SimplePing ComplexPing ServerAlive ResolveOxid2 ServerAlive2'
  ) },
  '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57': { name: 'IActivation', wireshark: 'IRemoteActivation', ops: seq('RemoteActivation') },
  '000001a0-0000-0000-c000-000000000046': { name: 'IRemoteSCMActivator', wireshark: 'ISystemActivator', ops: seq(
    'QueryInterfaceIRemoteSCMActivator AddRefIRemoteISCMActivator ReleaseIRemoteISCMActivator ' +
    'RemoteGetClassObject RemoteCreateInstance'
  ) },
  '00000131-0000-0000-c000-000000000046': { name: 'IRemUnknown', ops: seq(
    'QueryInterface AddRef Release RemQueryInterface RemAddRef RemRelease'
  ) },
  '00000143-0000-0000-c000-000000000046': { name: 'IRemUnknown2', ops: seq(
    'QueryInterface AddRef Release RemQueryInterface RemAddRef RemRelease RemQueryInterface2'
  ) },
  '00000134-0000-0000-c000-000000000046': { name: 'IRundown', ops: seq('QueryInterface AddRef Release') },
  '00000000-0000-0000-c000-000000000046': { name: 'IUnknown', ops: seq('QueryInterface AddRef Release') },
  '00000001-0000-0000-c000-000000000046': { name: 'IClassFactory', ops: seq(
    'QueryInterface AddRef Release CreateInstance LockServer'
  ) },
  '00020400-0000-0000-c000-000000000046': { name: 'IDispatch', ops: seq(
    'QueryInterface AddRef Release GetTypeInfoCount GetTypeInfo GetIDsOfNames Invoke'
  ) },
  '00020401-0000-0000-c000-000000000046': { name: 'ITypeInfo', ops: seq(
    'QueryInterface AddRef Release GetTypeAttr GetTypeComp GetFuncDesc GetVarDesc GetNames ' +
    'GetRefTypeOfImplType GetImplTypeFlags Opnum10NotUsedOnWire Opnum11NotUsedOnWire GetDocumentation ' +
    'GetDllEntry GetRefTypeInfo Opnum15NotUsedOnWire CreateInstance GetMops GetContainingTypeLib'
  ) },
  'b196b283-bab4-101a-b69c-00aa00341d07': { name: 'IProvideClassInfo', ops: seq('QueryInterface AddRef Release GetClassInfo') },
  '000001a2-0000-0000-c000-000000000046': { name: 'IActivationPropertiesIn', ops: seq('QueryInterface AddRef Release') },
  // RPCSS answers these on 135 but only local callers use them; no Zeek or Wireshark name (rpcdump's)
  '0b0a6584-9e0f-11cf-a3cf-00805f68cb1b': { name: 'localepmp', ops: null },
  'e60c73e6-88f9-11cf-9af1-0020af6e72f4': { name: 'ILocalObjectExporter', ops: null },
  'c6f3ee72-ce7e-11d1-b71e-00c04fc3111a': { name: 'IMachineActivatorControl', ops: null },
  '12345778-1234-abcd-ef00-0123456789ab': { name: 'lsarpc', wireshark: 'LSARPC', ops: seq(
    'LsarClose LsarDelete LsarEnumeratePrivileges LsarQuerySecurityObject LsarSetSecurityObject ' +
    'LsarChangePassword LsarOpenPolicy LsarQueryInformationPolicy LsarSetInformationPolicy ' +
    'LsarClearAuditLog LsarCreateAccount LsarEnumerateAccounts LsarCreateTrustedDomain ' +
    'LsarEnumerateTrustedDomains LsarLookupNames LsarLookupSids LsarCreateSecret LsarOpenAccount ' +
    'LsarEnumeratePrivilegesAccount LsarAddPrivilegesToAccount LsarRemovePrivilegesFromAccount ' +
    'LsarGetQuotasForAccount LsarSetQuotasForAccount LsarGetSystemAccessAccount ' +
    'LsarSetSystemAccessAccount LsarOpenTrustedDomain LsarQueryInfoTrustedDomain ' +
    'LsarSetInformationTrustedDomain LsarOpenSecret LsarSetSecret LsarQuerySecret ' +
    'LsarLookupPrivilegeValue LsarLookupPrivilegeName LsarLookupPrivilegeDisplayName LsarDeleteObject ' +
    'LsarEnumerateAccountsWithUserRight LsarEnumerateAccountRights LsarAddAccountRights ' +
    'LsarRemoveAccountRights LsarQueryTrustedDomainInfo LsarSetTrustedDomainInfo ' +
    'LsarDeleteTrustedDomain LsarStorePrivateData LsarRetrievePrivateData LsarOpenPolicy2 ' +
    'LsarGetUserName LsarQueryInformationPolicy2 LsarSetInformationPolicy2 ' +
    'LsarQueryTrustedDomainInfoByName LsarSetTrustedDomainInfoByName LsarEnumerateTrustedDomainsEx ' +
    'LsarCreateTrustedDomainEx LsarCloseTrustedDomainEx LsarQueryDomainInformationPolicy ' +
    'LsarSetDomainInformationPolicy LsarOpenTrustedDomainByName LsarTestCall LsarLookupSids2 ' +
    'LsarLookupNames2 LsarCreateTrustedDomainEx2 CredrWrite CredrRead CredrEnumerate ' +
    'CredrWriteDomainCredentials CredrReadDomainCredentials CredrDelete CredrGetTargetInfo ' +
    'CredrProfileLoaded LsarLookupNames3 CredrGetSessionTypes LsarRegisterAuditEvent ' +
    'LsarGenAuditEvent LsarUnregisterAuditEvent LsarQueryForestTrustInformation ' +
    'LsarSetForestTrustInformation CredrRename LsarLookupSids3 LsarLookupNames4'
  ) },
  '12345778-1234-abcd-ef00-0123456789ac': { name: 'samr', wireshark: 'SAMR', ops: seq(
    'SamrConnect SamrCloseHandle SamrSetSecurityObject SamrQuerySecurityObject SamrShutdownSamServer ' +
    'SamrLookupDomainInSamServer SamrEnumerateDomainsInSamServer SamrOpenDomain ' +
    'SamrQueryInformationDomain SamrSetInformationDomain SamrCreateGroupInDomain ' +
    'SamrEnumerateGroupsInDomain SamrCreateUserInDomain SamrEnumerateUsersInDomain ' +
    'SamrCreateAliasInDomain SamrEnumerateAliasesInDomain SamrGetAliasMembership ' +
    'SamrLookupNamesInDomain SamrLookupIdsInDomain SamrOpenGroup SamrQueryInformationGroup ' +
    'SamrSetInformationGroup SamrAddMemberToGroup SamrDeleteGroup SamrRemoveMemberFromGroup ' +
    'SamrGetMembersInGroup SamrSetMemberAttributesOfGroup SamrOpenAlias SamrQueryInformationAlias ' +
    'SamrSetInformationAlias SamrDeleteAlias SamrAddMemberToAlias SamrRemoveMemberFromAlias ' +
    'SamrGetMembersInAlias SamrOpenUser SamrDeleteUser SamrQueryInformationUser ' +
    'SamrSetInformationUser SamrChangePasswordUser SamrGetGroupsForUser SamrQueryDisplayInformation ' +
    'SamrGetDisplayEnumerationIndex SamrTestPrivateFunctionsDomain SamrTestPrivateFunctionsUser ' +
    'SamrGetUserDomainPasswordInformation SamrRemoveMemberFromForeignDomain ' +
    'SamrQueryInformationDomain2 SamrQueryInformationUser2 SamrQueryDisplayInformation2 ' +
    'SamrGetDisplayEnumerationIndex2 SamrCreateUser2InDomain SamrQueryDisplayInformation3 ' +
    'SamrAddMultipleMembersToAlias SamrRemoveMultipleMembersFromAlias SamrOemChangePasswordUser2 ' +
    'SamrUnicodeChangePasswordUser2 SamrGetDomainPasswordInformation SamrConnect2 ' +
    'SamrSetInformationUser2 SamrSetBootKeyInformation SamrGetBootKeyInformation SamrConnect3 ' +
    'SamrConnect4 SamrUnicodeChangePasswordUser3 SamrConnect5 SamrRidToSid SamrSetDSRMPassword ' +
    'SamrValidatePassword SamrQueryLocalizableAccountsInDomain SamrPerformGenericOperation'
  ) },
  '12345678-1234-abcd-ef00-01234567cffb': { name: 'netlogon', wireshark: 'RPC_NETLOGON', ops: seq(
    'NetrLogonUasLogon NetrLogonUasLogoff NetrLogonSamLogon NetrLogonSamLogoff NetrServerReqChallenge ' +
    'NetrServerAuthenticate NetrServerPasswordSet NetrDatabaseDeltas NetrDatabaseSync ' +
    'NetrAccountDeltas NetrAccountSync NetrGetDCName NetrLogonControl NetrGetAnyDCName ' +
    'NetrLogonControl2 NetrServerAuthenticate2 NetrDatabaseSync2 NetrDatabaseRedo NetrLogonControl2Ex ' +
    'NetrEnumerateTrustedDomains DsrGetDcName NetrLogonGetCapabilities NetrLogonSetServiceBits ' +
    'NetrLogonGetTrustRid NetrLogonComputeServerDigest NetrLogonComputeClientDigest ' +
    'NetrServerAuthenticate3 DsrGetDcNameEx DsrGetSiteName NetrLogonGetDomainInfo ' +
    'NetrServerPasswordSet2 NetrServerPasswordGet NetrLogonSendToSam DsrAddressToSiteNamesW ' +
    'DsrGetDcNameEx2 NetrLogonGetTimeServiceParentDomain NetrEnumerateTrustedDomainsEx ' +
    'DsrAddressToSiteNamesExW DsrGetDcSiteCoverageW NetrLogonSamLogonEx DsrEnumerateDomainTrusts ' +
    'DsrDeregisterDnsHostRecords NetrServerTrustPasswordsGet DsrGetForestTrustInformation ' +
    'NetrGetForestTrustInformation NetrLogonSamLogonWithFlags NetrServerGetTrustInfo unused ' +
    'DsrUpdateReadOnlyServerDnsRecords NetrChainSetClientAttributes'
  ) },
  'e3514235-4b06-11d1-ab04-00c04fc2dcd2': { name: 'drsuapi', wireshark: 'DRSUAPI', ops: seq(
    'DRSBind DRSUnbind DRSReplicaSync DRSGetNCChanges DRSUpdateRefs DRSReplicaAdd DRSReplicaDel ' +
    'DRSReplicaModify DRSVerifyNames DRSGetMemberships DRSInterDomainMove DRSGetNT4ChangeLog ' +
    'DRSCrackNames DRSWriteSPN DRSRemoveDsServer DRSRemoveDsDomain DRSDomainControllerInfo ' +
    'DRSAddEntry DRSExecuteKCC DRSGetReplInfo DRSAddSidHistory DRSGetMemberships2 ' +
    'DRSReplicaVerifyObjects DRSGetObjectExistence DRSQuerySitesByCost'
  ) },
  '367abb81-9844-35f1-ad32-98f038001003': { name: 'svcctl', wireshark: 'SVCCTL', ops: seq(
    'CloseServiceHandle ControlService DeleteService LockServiceDatabase QueryServiceObjectSecurity ' +
    'SetServiceObjectSecurity QueryServiceStatus SetServiceStatus UnlockServiceDatabase ' +
    'NotifyBootConfigStatus ScSetServiceBitsW ChangeServiceConfigW CreateServiceW ' +
    'EnumDependentServicesW EnumServicesStatusW OpenSCManagerW OpenServiceW QueryServiceConfigW ' +
    'QueryServiceLockStatusW StartServiceW GetServiceDisplayNameW GetServiceKeyNameW ' +
    'ScSetServiceBitsA ChangeServiceConfigA CreateServiceA EnumDependentServicesA EnumServicesStatusA ' +
    'OpenSCManagerA OpenServiceA QueryServiceConfigA QueryServiceLockStatusA StartServiceA ' +
    'GetServiceDisplayNameA GetServiceKeyNameA ScGetCurrentGroupStateW EnumServiceGroupW ' +
    'ChangeServiceConfig2A ChangeServiceConfig2W QueryServiceConfig2A QueryServiceConfig2W ' +
    'QueryServiceStatusEx EnumServicesStatusExA EnumServicesStatusExW ScSendTSMessage ' +
    'CreateServiceWOW64A CreateServiceWOW64W ScQueryServiceTagInfo NotifyServiceStatusChange ' +
    'GetNotifyResult CloseNotifyHandle ControlServiceExA ControlServiceExW ScSendPnPMessage ' +
    'ScValidatePnPService ScOpenServiceStatusHandle'
  ) },
  '338cd001-2244-31f1-aaaa-900038001003': { name: 'winreg', wireshark: 'WINREG', ops: seq(
    'OpenClassesRoot OpenCurrentUser OpenLocalMachine OpenPerformanceData OpenUsers BaseRegCloseKey ' +
    'BaseRegCreateKey BaseRegDeleteKey BaseRegDeleteValue BaseRegEnumKey BaseRegEnumValue ' +
    'BaseRegFlushKey BaseRegGetKeySecurity BaseRegLoadKey BaseRegNotifyChangeKeyValue BaseRegOpenKey ' +
    'BaseRegQueryInfoKey BaseRegQueryValue BaseRegReplaceKey BaseRegRestoreKey BaseRegSaveKey ' +
    'BaseRegSetKeySecurity BaseRegSetValue BaseRegUnLoadKey BaseInitiateSystemShutdown ' +
    'BaseAbortSystemShutdown BaseRegGetVersion OpenCurrentConfig OpenDynData ' +
    'BaseRegQueryMultipleValues BaseInitiateSystemShutdownEx BaseRegSaveKeyEx OpenPerformanceText ' +
    'OpenPerformanceNlsText BaseRegQueryMultipleValues2 BaseRegDeleteKeyEx'
  ) },
  '1ff70682-0a51-30e8-076d-740be8cee98b': { name: 'atsvc', wireshark: 'ATSVC', ops: seq(
    'NetrJobAdd NetrJobDel NetrJobEnum NetrJobGetInfo'
  ) },
  '4b324fc8-1670-01d3-1278-5a47bf6ee188': { name: 'srvsvc', wireshark: 'SRVSVC', ops: seq(
    'NetrCharDevEnum NetrCharDevGetInfo NetrCharDevControl NetrCharDevQEnum NetrCharDevQGetInfo ' +
    'NetrCharDevQSetInfo NetrCharDevQPurge NetrCharDevQPurgeSelf NetrConnectionEnum NetrFileEnum ' +
    'NetrFileGetInfo NetrFileClose NetrSessionEnum NetrSessionDel NetrShareAdd NetrShareEnum ' +
    'NetrShareGetInfo NetrShareSetInfo NetrShareDel NetrShareDelSticky NetrShareCheck ' +
    'NetrServerGetInfo NetrServerSetInfo NetrServerDiskEnum NetrServerStatisticsGet ' +
    'NetrServerTransportAdd NetrServerTransportEnum NetrServerTransportDel NetrRemoteTOD ' +
    'NetrServerSetServiceBits NetprPathType NetprPathCanonicalize NetprPathCompare NetprNameValidate ' +
    'NetprNameCanonicalize NetprNameCompare NetrShareEnumSticky NetrShareDelStart NetrShareDelCommit ' +
    'NetrpGetFileSecurity NetrpSetFileSecurity NetrServerTransportAddEx NetrServerSetServiceBitsEx ' +
    'NetrDfsGetVersion NetrDfsCreateLocalPartition NetrDfsDeleteLocalPartition ' +
    'NetrDfsSetLocalVolumeState NetrDfsSetServerInfo NetrDfsCreateExitPoint NetrDfsDeleteExitPoint ' +
    'NetrDfsModifyPrefix NetrDfsFixLocalVolume NetrDfsManagerReportSiteInfo NetrServerTransportDelEx ' +
    '- NetrServerAliasEnum NetrServerAliasDel NetrShareDelEx'
  ) },
  '6bffd098-a112-3610-9833-46c3f87e345a': { name: 'wkssvc', wireshark: 'WKSSVC', ops: seq(
    'NetrWkstaGetInfo NetrWkstaSetInfo NetrWkstaUserEnum NetrWkstaUserGetInfo NetrWkstaUserSetInfo ' +
    'NetrWkstaTransportEnum NetrWkstaTransportAdd NetrWkstaTransportDel NetrUseAdd NetrUseGetInfo ' +
    'NetrUseDel NetrUseEnum NetrMessageBufferSend NetrWorkstationStatisticsGet NetrLogonDomainNameAdd ' +
    'NetrLogonDomainNameDel NetrJoinDomain NetrUnjoinDomain NetrValidateName ' +
    'NetrRenameMachineInDomain NetrGetJoinInformation NetrGetJoinableOUs NetrJoinDomain2 ' +
    'NetrUnjoinDomain2 NetrRenameMachineInDomain2 NetrValidateName2 NetrGetJoinableOUs2 ' +
    'NetrAddAlternateComputerName NetrRemoveAlternateComputerName NetrSetPrimaryComputerName ' +
    'NetrEnumerateComputerNames NetrWorkstationResetDfsCache'
  ) },
  '12345678-1234-abcd-ef00-0123456789ab': { name: 'spoolss', wireshark: 'SPOOLSS', ops: seq(
    'RpcEnumPrinters RpcOpenPrinter RpcSetJob RpcGetJob RpcEnumJobs RpcAddPrinter RpcDeletePrinter ' +
    'RpcSetPrinter RpcGetPrinter RpcAddPrinterDriver RpcEnumPrinterDrivers RpcGetPrinterDriver ' +
    'RpcGetPrinterDriverDirectory RpcDeletePrinterDriver RpcAddPrintProcessor RpcEnumPrintProcessors ' +
    'RpcGetPrintProcessorDirectory RpcStartDocPrinter RpcStartPagePrinter RpcWritePrinter ' +
    'RpcEndPagePrinter RpcAbortPrinter RpcReadPrinter RpcEndDocPrinter RpcAddJob RpcScheduleJob ' +
    'RpcGetPrinterData RpcSetPrinterData RpcWaitForPrinterChange RpcClosePrinter RpcAddForm ' +
    'RpcDeleteForm RpcGetForm RpcSetForm RpcEnumForms RpcEnumPorts RpcEnumMonitors RpcAddPort ' +
    'RpcConfigurePort RpcDeletePort RpcCreatePrinterIC RpcPlayGdiScriptOnPrinterIC RpcDeletePrinterIC ' +
    'RpcAddPrinterConnection RpcDeletePrinterConnection RpcPrinterMessageBox RpcAddMonitor ' +
    'RpcDeleteMonitor RpcDeletePrintProcessor RpcAddPrintProvidor RpcDeletePrintProvidor ' +
    'RpcEnumPrintProcessorDatatypes RpcResetPrinter RpcGetPrinterDriver2 ' +
    'RpcClientFindFirstPrinterChangeNotification RpcFindNextPrinterChangeNotification ' +
    'RpcFindClosePrinterChangeNotification RpcRouterFindFirstPrinterChangeNotificationOld ' +
    'RpcReplyOpenPrinter RpcRouterReplyPrinter RpcReplyClosePrinter RpcAddPortEx ' +
    'RpcRemoteFindFirstPrinterChangeNotification RpcSpoolerInit RpcResetPrinterEx ' +
    'RpcRemoteFindFirstPrinterChangeNotificationEx RpcRouterReplyPrinterEx ' +
    'RpcRouterRefreshPrinterChangeNotification RpcSetAllocFailCount RpcSplOpenPrinter RpcAddPrinterEx ' +
    'RpcSetPort RpcEnumPrinterData RpcDeletePrinterData RpcClusterSplOpen RpcClusterSplClose ' +
    'RpcClusterSplIsAlive RpcSetPrinterDataEx RpcGetPrinterDataEx RpcEnumPrinterDataEx ' +
    'RpcEnumPrinterKey RpcDeletePrinterDataEx RpcDeletePrinterKey RpcSeekPrinter ' +
    'RpcDeletePrinterDriverEx RpcAddPerMachineConnection RpcDeletePerMachineConnection ' +
    'RpcEnumPerMachineConnections RpcXcvData RpcAddPrinterDriverEx'
  ) },
  '3919286a-b10c-11d0-9ba8-00c04fd92ef5': { name: 'dssetup', wireshark: 'DSSETUP', ops: seq(
    'DsRolerGetPrimaryDomainInformation DsRolerDnsNameToFlatName DsRolerDcAsDc DsRolerDcAsReplica ' +
    'DsRolerDemoteDc DsRolerGetDcOperationProgress DsRolerGetDcOperationResults DsRolerCancel ' +
    'DsRolerServerSaveStateForUpgrade DsRolerUpgradeDownlevelServer ' +
    'DsRolerAbortDownlevelServerUpgrade'
  ) },
  'f5cc5a18-4264-101a-8c59-08002b2f8426': { name: 'nspi', wireshark: 'NSPI', ops: seq(
    'NspiBind NspiUnbind NspiUpdateStat NspiQueryRows NspiSeekEntries NspiGetMatches ' +
    'NspiResortRestriction NspiDNToEph NspiGetPropList NspiGetProps'
  ) },
  'a4f1db00-ca47-1067-b31f-00dd010662da': { name: 'exchange_mapi', wireshark: 'MAPI', ops: seq(
    'EcDoConnect EcDoDisconnect EcDoRpc EcGetMoreRpc EcRRegisterPushNotification ' +
    'EcRUnregisterPushNotification EcDummyRpc EcRGetDCName EcRNetGetDCName EcDoRpcExt EcDoConnectEx ' +
    'EcDoRpcExt2 EcUnknown0xC EcUnknown0xD EcDoAsyncConnectEx'
  ) },
  '86d35949-83c9-4044-b424-db363231fd0c': { name: 'ITaskSchedulerService', ops: seq(
    'SchRpcHighestVersion SchRpcRegisterTask SchRpcRetrieveTask SchRpcCreateFolder SchRpcSetSecurity ' +
    'SchRpcGetSecurity SchRpcEnumFolder SchRpcEnumTasks SchRpcEnumInstances SchRpcGetInstanceInfo ' +
    'SchRpcStopInstance SchRpcStop SchRpcRun SchRpcDelete SchRpcRename SchRpcScheduledRuntimes ' +
    'SchRpcGetLastRunInfo SchRpcGetTaskInfo'
  ) },
  'df1941c5-fe89-4e79-bf10-463657acf44d': { name: 'efsrpc', wireshark: 'EFSRPC', ops: seq(
    'EfsRpcOpenFileRaw EfsRpcReadFileRaw EfsRpcWriteFileRaw EfsRpcCloseRaw EfsRpcEncryptFileSrv ' +
    'EfsRpcDecryptFileSrv EfsRpcQueryUsersOnFile EfsRpcQueryRecoveryAgents EfsRpcRemoveUsersFromFile ' +
    'EfsRpcAddUsersToFile - EfsRpcNotSupported EfsRpcFileKeyInfo EfsRpcDuplicateEncryptionInfoFile - ' +
    'EfsRpcAddUsersToFileEx EfsRpcFileKeyInfoEx - EfsRpcGetEncryptedFileMetadata ' +
    'EfsRpcSetEncryptedFileMetadata EfsRpcFlushEfsCache EfsRpcEncryptFileExSrv EfsRpcQueryProtectors'
  ) },
  'c681d488-d850-11d0-8c52-00c04fd90f7e': { name: 'efsrpc_lsarpc', wireshark: 'EFS', ops: seq(
    'EfsRpcOpenFileRaw EfsRpcReadFileRaw EfsRpcWriteFileRaw EfsRpcCloseRaw EfsRpcEncryptFileSrv ' +
    'EfsRpcDecryptFileSrv EfsRpcQueryUsersOnFile EfsRpcQueryRecoveryAgents EfsRpcRemoveUsersFromFile ' +
    'EfsRpcAddUsersToFile - EfsRpcNotSupported EfsRpcFileKeyInfo EfsRpcDuplicateEncryptionInfoFile - ' +
    'EfsRpcAddUsersToFileEx EfsRpcFileKeyInfoEx - EfsRpcGetEncryptedFileMetadata ' +
    'EfsRpcSetEncryptedFileMetadata EfsRpcFlushEfsCache EfsRpcEncryptFileExSrv EfsRpcQueryProtectors'
  ) },
  '76f03f96-cdfd-44fc-a22c-64950a001209': { name: 'IRemoteWinspool', ops: null },
  '82273fdc-e32a-18c3-3f78-827929dc23ea': { name: 'eventlog', wireshark: 'EVENTLOG', ops: seq(
    'ElfrClearELFW ElfrBackupELFW ElfrCloseEL ElfrDeregisterEventSource ElfrNumberOfRecords ' +
    'ElfrOldestRecord ElfrChangeNotify ElfrOpenELW ElfrRegisterEventSourceW ElfrOpenBELW ElfrReadELW ' +
    'ElfrReportEventW ElfrClearELFA ElfrBackupELFA ElfrOpenELA ElfrRegisterEventSourceA ElfrOpenBELA ' +
    'ElfrReadELA ElfrReportEventA ElfrRegisterClusterSvc ElfrDeregisterClusterSvc ' +
    'ElfrWriteClusterEvents ElfrGetLogInformation ElfrFlushEL ElfrReportEventAndSourceW'
  ) },
  '894de0c0-0d55-11d3-a322-00c04fa321a1': { name: 'InitShutdown', wireshark: 'INITSHUTDOWN', ops: seq(
    'BaseInitiateShutdown BaseAbortShutdown BaseInitiateShutdownEx'
  ) },
  '378e52b0-c0a9-11cf-822d-00aa0051e40f': { name: 'sasec', wireshark: 'SASEC', ops: seq(
    'SASetAccountInformation SASetNSAccountInformation SAGetNSAccountInformation ' +
    'SAGetAccountInformation'
  ) },
  '3dde7c30-165d-11d1-ab8f-00805f14db40': { name: 'BackupKey', wireshark: 'BACKUPKEY', ops: seq('bkrp_BackupKey') },
  '9556dc99-828c-11cf-a37e-00aa003240c7': { name: 'IWbemServices', ops: seq(
    'QueryInterface AddRef Release OpenNamespace CancelAsyncCall QueryObjectSink GetObject ' +
    'GetObjectAsync PutClass PutClassAsync DeleteClass DeleteClassAsync CreateClassEnum ' +
    'CreateClassEnumAsync PutInstance PutInstanceAsync DeleteInstance DeleteInstanceAsync ' +
    'CreateInstanceEnum CreateInstanceEnumAsync ExecQuery ExecQueryAsync ExecNotificationQuery ' +
    'ExecNotificationQueryAsync ExecMethod ExecMethodAsync'
  ) },
  'f309ad18-d86a-11d0-a075-00c04fb68820': { name: 'IWbemLevel1Login', ops: seq(
    'QueryInterface AddRef Release EstablishPosition RequestChallenge WBEMLogin NTLMLogin'
  ) },
  '4fc742e0-4a10-11cf-8273-00aa004ae673': { name: 'netdfs', wireshark: 'NETDFS', ops: seq(
    'NetrDfsManagerGetVersion NetrDfsAdd NetrDfsRemove NetrDfsSetInfo NetrDfsGetInfo NetrDfsEnum ' +
    'NetrDfsRename NetrDfsMove NetrDfsManagerGetConfigInfo NetrDfsManagerSendSiteInfo ' +
    'NetrDfsAddFtRoot NetrDfsRemoveFtRoot NetrDfsAddStdRoot NetrDfsRemoveStdRoot ' +
    'NetrDfsManagerInitialize NetrDfsAddStdRootForced NetrDfsGetDcAddress NetrDfsSetDcAddress ' +
    'NetrDfsFlushFtTable NetrDfsAdd2 NetrDfsRemove2 NetrDfsEnumEx NetrDfsSetInfo2'
  ) },
  '50abc2a4-574d-40b3-9d66-ee4fd5fba076': { name: 'dnsserver', wireshark: 'DNSSERVER', ops: seq(
    'DnssrvOperation DnssrvQuery DnssrvComplexOperation DnssrvEnumRecords DnssrvUpdateRecord ' +
    'DnssrvOperation2 DnssrvQuery2 DnssrvComplexOperation2 DnssrvEnumRecords2 DnssrvUpdateRecord2'
  ) },
  '8d9f4e40-a03d-11ce-8f69-08003e30051b': { name: 'pnp', wireshark: 'PNP', ops: null },
  '17fdd703-1827-4e34-79d4-24a55c53bb37': { name: 'msgsvc', wireshark: 'MSGSVC', ops: seq(
    'NetrMessageNameAdd NetrMessageNameEnum NetrMessageNameGetInfo NetrMessageNameDel'
  ) },
  '5a7b91f8-ff00-11d0-a9b2-00c04fb6e6fc': { name: 'msgsvcsend', wireshark: 'MSGSVCSEND', ops: seq('NetrSendMessage') },
  'd6d70ef0-0e3b-11cb-acc3-08002b1d29c3': { name: 'NsiS', wireshark: 'RPC_NS', ops: seq(
    'nsi_binding_export nsi_binding_unexport'
  ) },
  '6bffd098-a112-3610-9833-012892020162': { name: 'browser', wireshark: 'BROWSER', ops: seq(
    'BrowserrServerEnum BrowserrDebugCall BrowserrQueryOtherDomains BrowserrResetNetlogonState ' +
    'BrowserrDebugTrace BrowserrQueryStatistics BrowserrResetStatistics NetrBrowserStatisticsClear ' +
    'NetrBrowserStatisticsGet BrowserrSetNetlogonState BrowserrQueryEmulatedDomains ' +
    'BrowserrServerEnumEx'
  ) },
  '91ae6020-9e3c-11cf-8d7c-00aa00c091be': { name: 'ICertPassage', ops: seq('CertServerRequest') },
  'dea00001-6c97-11d1-8271-00a02442df7d': { name: 'PNIO-Device', wireshark: 'PNIO', ops: seq(
    'Connect Release Read Write Control ReadImplicit'
  ) },
  'dea00002-6c97-11d1-8271-00a02442df7d': { name: 'PNIO-Controller', ops: seq(
    'Connect Release Read Write Control ReadImplicit'
  ) },
};

export type NameStyle = 'zeek' | 'wireshark';

/** Interface name by UUID (any case); undefined when unknown. */
export function interfaceName(uuid: string, style: NameStyle = 'zeek'): string | undefined {
  const e = DCERPC_INTERFACES[uuid.toLowerCase()];
  if (!e) return undefined;
  return style === 'wireshark' ? (e.wireshark ?? e.name) : e.name;
}

/** Operation name by (UUID, opnum); undefined when the interface or the opnum is unknown. */
export function operationName(uuid: string, opnum: number): string | undefined {
  const op = DCERPC_INTERFACES[uuid.toLowerCase()]?.ops?.[opnum];
  return op === undefined || op === '-' ? undefined : op;
}

/** Fault and reject status names (fault PDU `status`, C706 12.6.4.7 / appendix E; MS-RPCE 2.2.2.11),
 * as Wireshark's reject_status_vals spells them; Zeek logs no fault names. */
export const DCERPC_FAULTS: ReadonlyMap<number, string> = new Map([
  [0x00000001, 'nca_s_fault_other'],
  [0x00000005, 'nca_s_fault_access_denied'],
  [0x000006d8, 'nca_s_fault_cant_perform'],
  [0x000006f7, 'nca_s_fault_ndr'],
  [0x00000721, 'nca_s_fault_sec_pkg_error'],
  [0x1c000001, 'nca_s_fault_int_div_by_zero'],
  [0x1c000002, 'nca_s_fault_addr_error'],
  [0x1c000003, 'nca_s_fault_fp_div_zero'],
  [0x1c000004, 'nca_s_fault_fp_underflow'],
  [0x1c000005, 'nca_s_fault_fp_overflow'],
  [0x1c000006, 'nca_s_fault_invalid_tag'],
  [0x1c000007, 'nca_s_fault_invalid_bound'],
  [0x1c000008, 'nca_rpc_version_mismatch'],
  [0x1c000009, 'nca_unspec_reject'],
  [0x1c00000a, 'nca_s_bad_actid'],
  [0x1c00000b, 'nca_who_are_you_failed'],
  [0x1c00000c, 'nca_manager_not_entered'],
  [0x1c00000d, 'nca_s_fault_cancel'],
  [0x1c00000e, 'nca_s_fault_ill_inst'],
  [0x1c00000f, 'nca_s_fault_fp_error'],
  [0x1c000010, 'nca_s_fault_int_overflow'],
  [0x1c000014, 'nca_s_fault_pipe_empty'],
  [0x1c000015, 'nca_s_fault_pipe_closed'],
  [0x1c000016, 'nca_s_fault_pipe_order'],
  [0x1c000017, 'nca_s_fault_pipe_discipline'],
  [0x1c000018, 'nca_s_fault_pipe_comm_error'],
  [0x1c000019, 'nca_s_fault_pipe_memory'],
  [0x1c00001a, 'nca_s_fault_context_mismatch'],
  [0x1c00001b, 'nca_s_fault_remote_no_memory'],
  [0x1c00001c, 'nca_invalid_pres_context_id'],
  [0x1c00001d, 'nca_unsupported_authn_level'],
  [0x1c00001f, 'nca_invalid_checksum'],
  [0x1c000020, 'nca_invalid_crc'],
  [0x1c000021, 'ncs_s_fault_user_defined'],
  [0x1c000022, 'nca_s_fault_tx_open_failed'],
  [0x1c000023, 'nca_s_fault_codeset_conv_error'],
  [0x1c000024, 'nca_s_fault_object_not_found'],
  [0x1c000025, 'nca_s_fault_no_client_stub'],
  [0x1c010002, 'nca_op_rng_error'],
  [0x1c010003, 'nca_unk_if'],
  [0x1c010006, 'nca_wrong_boot_time'],
  [0x1c010009, 'nca_s_you_crashed'],
  [0x1c01000b, 'nca_proto_error'],
  [0x1c010013, 'nca_out_args_too_big'],
  [0x1c010014, 'nca_server_too_busy'],
  [0x1c010017, 'nca_unsupported_type'],
  // Windows HRESULTs that DCOM servers return as fault status (MS-ERREF 2.1)
  [0x80004001, 'E_NOTIMPL'],
  [0x80004003, 'E_POINTER'],
  [0x80004004, 'E_ABORT'],
  [0x8000ffff, 'E_UNEXPECTED'],
  [0x80010105, 'RPC_E_SERVERFAULT'],
  [0x80010108, 'RPC_E_DISCONNECTED'],
  [0x80010113, 'RPC_E_INVALID_IPID'],
  [0x8001011f, 'RPC_E_TIMEOUT'],
  [0x80020003, 'DISP_E_MEMBERNOTFOUND'],
  [0x80020006, 'DISP_E_UNKNOWNNAME'],
  [0x8002000e, 'DISP_E_BADPARAMCOUNT'],
  [0x8007000e, 'E_OUTOFMEMORY'],
  [0x80070057, 'E_INVALIDARG'],
  [0x800706d1, 'RPC_S_PROCNUM_OUT_OF_RANGE'],
  [0x80070776, 'OR_INVALID_OXID'],
]);

/** Fault name by status (any u32, signed or not); undefined when unknown. Status 0 is a
 * stub-defined exception (C706 12.6.4.7) and has no name. */
export function faultName(status: number): string | undefined {
  return DCERPC_FAULTS.get(status >>> 0);
}

const hex32 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** `0x1c010002 nca_op_rng_error`, or the bare hex when the status has no name: for tables. */
export function faultLabel(status: number): string {
  const name = faultName(status);
  return name === undefined ? hex32(status) : `${hex32(status)} ${name}`;
}

/** `epmapper (e1af8308-5d1f-11c9-91a4-08002b14a0fa)`, or the bare UUID when unknown: for tables,
 * where the UUID stays beside the name so it can be searched for. */
export function interfaceLabel(uuid: string): string {
  const name = interfaceName(uuid);
  return name === undefined ? uuid : `${name} (${uuid})`;
}

/** A call record with `faultName` added beside its numeric `faultStatus` when the table names it,
 * for JSON outputs: consumers of the existing fields see them unchanged. */
export function withFaultName<T extends { readonly faultStatus?: number }>(call: T): T & { faultName?: string } {
  const name = call.faultStatus === undefined ? undefined : faultName(call.faultStatus);
  return name === undefined ? call : { ...call, faultName: name };
}
