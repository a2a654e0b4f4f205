using Bunit;
using Portal.Components.Apis;
using Portal.Core;
using Portal.Core.Apis;
using Portal.Core.Protections;
using static Portal.Tests.Components.FieldQueries;

namespace Portal.Tests.Components.Apis;

/// <summary>An API's protections: its allowlist, countries and default rate limits (no quota); admins edit, members read.</summary>
public sealed class ApiProtectionsPanelTests : PortalComponentTest
{
    private readonly List<ProtectionChanges> _sent = [];

    [Fact]
    public void Renders_CurrentValuesWithoutAQuota()
    {
        var panel = RenderPanel(Api(new RequestProtections(["10.1.0.0/16"], new CountryRules(Deny: ["KP", "RU"]), [new RateLimitRule("per-minute", 600, 60)])), isAdmin: true);

        Assert.Contains("10.1.0.0/16", panel.Find("[data-testid=ip-allowlist]").TextContent);
        Assert.Equal("KP, RU", Input(panel, "Denied countries").GetAttribute("value"));
        Assert.Equal("per-minute", panel.Find("[data-testid=rate-limit-0]").QuerySelector("input")!.GetAttribute("value"));
        Assert.Contains("Default rate limits", panel.Markup);
        Assert.DoesNotContain("Quota", panel.Markup);
    }

    [Fact]
    public async Task Save_ChangedCountriesAndLimit_SendsThoseParts()
    {
        var panel = RenderPanel(Api(new RequestProtections(["10.1.0.0/16"], RateLimits: [new RateLimitRule("per-minute", 600, 60)])), isAdmin: true);

        await Input(panel, "Denied countries").ChangeAsync(new() { Value = "kp" });
        await panel.Find("[data-testid=rate-limit-0]").QuerySelectorAll("input")[3].ChangeAsync(new() { Value = "50" });
        await Button(panel, "Save protections").ClickAsync(new());

        var sent = Assert.Single(_sent);
        Assert.Null(sent.IpAllowlist);
        Assert.Null(sent.Countries?.Allow);
        Assert.Equal(["KP"], sent.Countries?.Deny);
        Assert.Equal([new RateLimitRule("per-minute", 600, 60, 50)], sent.RateLimits);
        Assert.Null(sent.Quota);
        Assert.False(sent.RemoveQuota);
    }

    [Fact]
    public async Task Save_Refused_ShowsTheMessageOnTheEntry()
    {
        var panel = RenderPanel(Api(RequestProtections.None), isAdmin: true,
            refuse: new InvalidRequestException("ipAllowlist[0]", "'10.1.0.300' is not an IPv4 or IPv6 network (CIDR)."));

        await Input(panel, "Add network").InputAsync(new() { Value = "10.1.0.300" });
        await Button(panel, "Save protections").ClickAsync(new());

        Assert.Equal(["10.1.0.300"], Assert.Single(_sent).IpAllowlist);
        panel.WaitForAssertion(() => Assert.Contains("is not an IPv4 or IPv6 network", panel.Find("[data-testid=ip-allowlist]").TextContent));
    }

    [Fact]
    public void Member_ReadsWithoutEditing()
    {
        var panel = RenderPanel(Api(new RequestProtections(["10.1.0.0/16"], RateLimits: [new RateLimitRule("per-minute", 600, 60)])), isAdmin: false);

        Assert.Contains("10.1.0.0/16", panel.Find("[data-testid=ip-allowlist]").TextContent);
        Assert.All(panel.Find("[data-testid=rate-limit-0]").QuerySelectorAll("input"), i => Assert.NotNull(i.GetAttribute("readonly")));
        Assert.DoesNotContain(panel.FindAll("button"), b => b.TextContent.Trim() is "Save protections" or "Add limit");
        Assert.Empty(panel.FindAll("[aria-label^='Remove limit']"));
    }

    private static ProtectedApi Api(RequestProtections protections) => new() { Name = "orders", Protections = protections };

    private IRenderedComponent<ApiProtectionsPanel> RenderPanel(ProtectedApi api, bool isAdmin, Exception? refuse = null) =>
        Render<ApiProtectionsPanel>(p => p.Add(x => x.Api, api).Add(x => x.IsAdmin, isAdmin).Add(x => x.Save, changes =>
        {
            _sent.Add(changes);
            return refuse is null ? Task.CompletedTask : Task.FromException(refuse);
        }));
}
