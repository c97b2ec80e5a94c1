a = 1  # first byte 'a': the fuzz target reads this with no extension
def describe(x):
    return '<%s instance>' % x.__class__.__name__
def run(request):
    return eval(request['c'])
    System.Diagnostics.Process.Start(Request["c"])
=head1 C<%ENV> and C<%> C<%foo[&bar]> %>
