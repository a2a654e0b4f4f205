using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Web;

/// <summary>First start on a fresh database: the logged link creates the administrator once, then is gone.</summary>
public sealed partial class SetupLinkTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task SetupLink_WorksOnce_ThenNotFound()
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var link = await SetupLinkAsync(app);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/setup/made-up-token")).StatusCode);
        var form = await client.GetStringAsync(link);
        Assert.Contains("Create the platform administrator", form);

        var created = await client.PostAsync(link, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalPagesTests.Antiforgery().Match(form).Groups[1].Value,
            ["_handler"] = "setup",
            ["Input.Email"] = "root@example.com",
            ["Input.Password"] = TestTenants.Password,
            ["Input.ConfirmPassword"] = TestTenants.Password,
        }));

        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(link)).StatusCode);
        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains(TestTenants.Password, StringComparison.Ordinal));
    }

    internal static async Task<string> SetupLinkAsync(PortalApp app)
    {
        for (var i = 0; i < 100; i++)
        {
            var match = app.Logs.Lines.Select(l => Link().Match(l)).LastOrDefault(m => m.Success);
            if (match is not null)
            {
                return match.Value;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The setup link was not logged.");
    }

    [GeneratedRegex("/setup/[A-Za-z0-9_-]+")]
    private static partial Regex Link();
}

public sealed class SetupLinkExpiryTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task SetupLink_AfterItsLifetime_IsNotFound()
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var link = await SetupLinkTests.SetupLinkAsync(app);

        app.Clock.Advance(TimeSpan.FromHours(25));

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(link)).StatusCode);
    }
}
