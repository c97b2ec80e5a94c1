/* exhunt example evidence: stand-in for the OWA sign-in script */
var g_fFcs = 1;
function clkLgn() {
    var f = document.forms["logonForm"];
    if (!f || f.username.value === "") { return false; }
    f.submit();
    return true;
}
