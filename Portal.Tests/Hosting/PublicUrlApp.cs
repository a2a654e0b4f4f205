using Microsoft.AspNetCore.Hosting;
using Portal.Core.Data;
using Portal.Tests.Auth;

namespace Portal.Tests.Hosting;

/// <summary>The product behind a TLS-terminating proxy, configured with <c>PublicUrl</c> = <see cref="Url"/>.</summary>
public sealed class PublicUrlApp() : DoorApp(DatabaseProvider.Sqlite)
{
    public const string Url = "https://keys.example.com";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("PublicUrl", Url);
    }
}
