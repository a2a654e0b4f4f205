using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Components.Apis;
using Portal.Core.Apis;
using Portal.Hosting;

namespace Portal.Tests.Components.Apis;

/// <summary>The gateway configurations name the portal at its public URL when one is set, else at the page's own address.</summary>
public sealed class GatewaySnippetsTests : BunitContext, IAsyncLifetime
{
    private static readonly ProtectedApi Api = new() { Name = "Orders" };

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();

    [Fact]
    public async Task Render_PublicUrlSet_SnippetsPointThere()
    {
        var snippets = RenderWith(new PublicUrlOptions { Url = "https://keys.example.com" });

        Assert.Contains("server keys.example.com:443;", snippets.Markup, StringComparison.Ordinal);
        Assert.Contains($"proxy_pass https://portal_auth/api/v1/auth/check/{Api.PublicId}?limits=403;", snippets.Markup, StringComparison.Ordinal);
        Assert.Contains("proxy_ssl_server_name on;", snippets.Markup, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header Host keys.example.com;", snippets.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("localhost", snippets.Markup, StringComparison.Ordinal);
        await snippets.FindAll(".mud-tab").Single(t => t.TextContent.Trim() == "Traefik").ClickAsync(new());
        snippets.WaitForAssertion(() => Assert.Contains($"address: \"https://keys.example.com/api/v1/auth/check/{Api.PublicId}\"", snippets.Markup, StringComparison.Ordinal));
        await snippets.FindAll(".mud-tab").Single(t => t.TextContent.Trim() == "Envoy").ClickAsync(new());
        snippets.WaitForAssertion(() => Assert.Contains("uri: https://keys.example.com\n", snippets.Markup.ReplaceLineEndings("\n"), StringComparison.Ordinal));
    }

    [Fact]
    public void Render_NoPublicUrl_SnippetsUseThePagesAddress()
    {
        var snippets = RenderWith(new PublicUrlOptions());

        // bUnit's page address is http://localhost/.
        Assert.Contains("server localhost:80;", snippets.Markup, StringComparison.Ordinal);
        Assert.Contains($"proxy_pass http://portal_auth/api/v1/auth/check/{Api.PublicId}?limits=403;", snippets.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("proxy_ssl_server_name", snippets.Markup, StringComparison.Ordinal);
    }

    private IRenderedComponent<GatewaySnippets> RenderWith(PublicUrlOptions publicUrl)
    {
        Services.AddSingleton(new PublicLinks(Options.Create(publicUrl)));
        this.AddPortalTestServices();
        Render<MudBlazor.MudPopoverProvider>();
        return Render<GatewaySnippets>(p => p.Add(s => s.Api, Api));
    }
}
