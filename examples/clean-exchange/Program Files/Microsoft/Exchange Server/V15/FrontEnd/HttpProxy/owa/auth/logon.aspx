<%@ Page language="c#" AutoEventWireup="false" Inherits="Microsoft.Exchange.HttpProxy.Logon" %>
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
<script type="text/javascript" src="/owa/auth/15.1.2106/scripts/premium/flogon.js"></script>
<noscript><div id="dvErr">To use Outlook, browser settings must allow scripts to run.</div></noscript>
<form action="/owa/auth.owa" method="POST" name="logonForm" autocomplete="off">
  <input type="hidden" name="destination" value="" />
  <input type="hidden" name="flags" value="4" />
  <input type="hidden" name="forcedownlevel" value="0" />
  <div class="signInInputLabel">Domain\user name:</div>
  <input id="username" name="username" type="text" class="signInInputText" />
  <div class="signInInputLabel">Password:</div>
  <input id="password" name="password" type="password" class="signInInputText" />
  <div class="signInEnter"><div onclick="clkLgn()" class="signinbutton" role="button" tabindex="0">sign in</div></div>
</form>
</body>
</html>
