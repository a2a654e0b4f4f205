using Portal.CommandLine;
using Portal.Hosting;

var builder = WebApplication.CreateBuilder(PortalCommandLine.HostArguments(args));
builder.AddOperatorConfiguration();
builder.AddPortalServices();

if (PortalCommandLine.IsCommand(args))
{
    return await PortalCommandLine.RunAsync(builder, args);
}

var app = builder.Build();
await app.PreparePortalAsync();
app.UsePortal();
app.MapPortal();
await app.RunAsync();
return 0;

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
