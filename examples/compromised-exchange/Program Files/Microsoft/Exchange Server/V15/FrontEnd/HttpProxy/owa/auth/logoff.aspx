<%@ Page language="c#" AutoEventWireup="false" Inherits="Microsoft.Exchange.HttpProxy.Logoff" %>
<%-- exhunt example evidence: short stand-in for the Exchange 2016 file of the same
     name. Same shape as the shipped page (code-behind class, no inline server code);
     not Microsoft's text. --%>
<!DOCTYPE HTML>
<html dir="ltr">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<meta http-equiv="X-UA-Compatible" content="IE=10" />
<meta name="robots" content="noindex, nofollow" />
<title>Outlook</title>
<link rel="shortcut icon" href="/owa/auth/15.1.2106/themes/resources/favicon.ico" type="image/x-icon" />
<link rel="stylesheet" href="/owa/auth/15.1.2106/themes/resources/logon.css" />
</head>
<body class="signInBg">
<div class="signInHeader">You have signed out of Outlook.</div>
<div class="signInText">For security, close all browser windows.</div>
<a href="/owa/">Sign in again</a>
</body>
</html>
