using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Keys;
using Portal.Components.Protections;
using Portal.Core;
using Portal.Core.Keys;
using Portal.Core.Protections;
using static Portal.Tests.Components.FieldQueries;

namespace Portal.Tests.Components.Keys;

/// <summary>The key page's protections: current values, what a save sends, the service's messages, and who may edit.</summary>
public sealed class KeyProtectionsPanelTests : PortalComponentTest
{
    private readonly List<ProtectionChanges> _sent = [];

    [Fact]
    public void Renders_TheAllowlistAndCountries()
    {
        var panel = RenderPanel(Key(new RequestProtections(["203.0.113.0/24", "2001:db8::/32"], new CountryRules(["DE", "FR"], ["KP"]))), canChange: true);

        var allowlist = panel.Find("[data-testid=ip-allowlist]").TextContent;
        Assert.Contains("203.0.113.0/24", allowlist);
        Assert.Contains("2001:db8::/32", allowlist);
        Assert.Equal("DE, FR", Input(panel, "Allowed countries").GetAttribute("value"));
        Assert.Equal("KP", Input(panel, "Denied countries").GetAttribute("value"));
        Assert.Contains("No quota", panel.Markup);
        Assert.Contains("None of its own", panel.Markup);
    }

    [Fact]
    public void Renders_LimitsQuotaAndTheirStateNow()
    {
        var store = Services.GetRequiredService<FakeRateLimitStore>();
        var resets = DateTimeOffset.UtcNow.AddHours(3);
        store.States.Add(new LimitState("per-second", 20, 1, 17, DateTimeOffset.UtcNow.AddSeconds(1)));
        store.States.Add(new LimitState("quota", 1000, 2_592_000, 480, resets, IsQuota: true));
        var key = Key(new RequestProtections(RateLimits: [new RateLimitRule("per-second", 20, 1, 40)], Quota: new QuotaRule(500, new QuotaRefill(1000, QuotaPeriod.Month))));
        key.QuotaRemaining = 480;

        var panel = RenderPanel(key, canChange: true);

        var row = panel.Find("[data-testid=rate-limit-0]");
        Assert.Equal("per-second", row.QuerySelectorAll("input")[0].GetAttribute("value"));
        Assert.Equal(["20", "1", "40"], row.QuerySelectorAll("input").Skip(1).Select(i => i.GetAttribute("value")));
        Assert.Equal(["500", "1000"], panel.Find("[data-testid=quota]").QuerySelectorAll("input").Take(2).Select(i => i.GetAttribute("value")));
        // The state is read for the plan the doors count against: the key's limit and its stored quota count.
        var (keyId, plan) = Assert.Single(store.Peeked);
        Assert.Equal(key.Id, keyId);
        Assert.Equal("per-second", Assert.Single(plan.Limits).Name);
        Assert.Equal(480, plan.Quota?.Remaining);
        var now = panel.Find("[aria-label='Limits now']").TextContent;
        Assert.Contains("17 / 20 per 1 s", now);
        Assert.Contains("480 / 1,000 credits", now);
    }

    [Fact]
    public async Task Save_AddedNetwork_SendsOnlyTheAllowlist()
    {
        var panel = RenderPanel(Key(new RequestProtections(["203.0.113.0/24"], new CountryRules(Deny: ["KP"]), [new RateLimitRule("daily", 10_000, 86_400)])), canChange: true);

        await Input(panel, "Add network").InputAsync(new() { Value = "198.51.100.0/24" });
        await Button(panel, "Add").ClickAsync(new());
        await Button(panel, "Save protections").ClickAsync(new());

        var sent = Assert.Single(_sent);
        Assert.Equal(["203.0.113.0/24", "198.51.100.0/24"], sent.IpAllowlist);
        Assert.Null(sent.Countries);
        Assert.Null(sent.RateLimits);
        Assert.Null(sent.Quota);
        Assert.False(sent.RemoveQuota);
    }

    [Fact]
    public async Task Save_RemovedNetworkCountriesAndALimit_SendsThoseParts()
    {
        var panel = RenderPanel(Key(new RequestProtections(["203.0.113.0/24"], null, [new RateLimitRule("daily", 10_000, 86_400)])), canChange: true);

        await panel.Find(".mud-chip-close-button").ClickAsync(new());
        await Input(panel, "Allowed countries").ChangeAsync(new() { Value = "de fr" });
        await Button(panel, "Add limit").ClickAsync(new());
        var row = panel.Find("[data-testid=rate-limit-1]").QuerySelectorAll("input");
        await row[0].ChangeAsync(new() { Value = "burst" });
        await row[1].ChangeAsync(new() { Value = "20" });
        await row[2].ChangeAsync(new() { Value = "1" });
        await Button(panel, "Save protections").ClickAsync(new());

        var sent = Assert.Single(_sent);
        Assert.Equal([], sent.IpAllowlist);
        Assert.Equal(["DE", "FR"], sent.Countries?.Allow);
        Assert.Null(sent.Countries?.Deny);
        Assert.Equal([new RateLimitRule("daily", 10_000, 86_400), new RateLimitRule("burst", 20, 1)], sent.RateLimits);
        Assert.Null(sent.Quota);
    }

    [Fact]
    public async Task Save_QuotaAddedWithARefillAmountOnly_SendsItAndShowsTheServiceMessageOnThePeriod()
    {
        var panel = RenderPanel(Key(RequestProtections.None), canChange: true, refuse: new InvalidRequestException("quota.refill.period", "A refill needs a period: day or month."));

        await Button(panel, "Add quota").ClickAsync(new());
        var inputs = panel.Find("[data-testid=quota]").QuerySelectorAll("input");
        await inputs[0].ChangeAsync(new() { Value = "5000" });
        await inputs[1].ChangeAsync(new() { Value = "5000" });
        await Button(panel, "Save protections").ClickAsync(new());

        Assert.Equal(new QuotaRule(5000, new QuotaRefill(5000, null)), Assert.Single(_sent).Quota);
        panel.WaitForAssertion(() => Assert.Contains("A refill needs a period: day or month.", panel.Find("[data-testid=quota]").TextContent));
    }

    [Fact]
    public async Task Save_RefusedEntries_ShowEachMessageByItsField()
    {
        var panel = RenderPanel(Key(new RequestProtections(["203.0.113.0/24"], RateLimits: [new RateLimitRule("daily", 10_000, 86_400)])), canChange: true,
            refuse: new InvalidRequestException(new Dictionary<string, string[]>
            {
                ["ipAllowlist[1]"] = ["'203.0.113.7/24' is inside ipAllowlist[0] (203.0.113.0/24)."],
                ["countries.allow[0]"] = ["'XX' is not an ISO 3166-1 alpha-2 country code (two letters such as DE or US)."],
                ["rateLimits[0].burst"] = ["The burst must be at most 2678400000 for 10000 per 86400 s: a burst must be earned back within 31 days."],
            }));

        await Input(panel, "Add network").InputAsync(new() { Value = "203.0.113.7/24" });
        await Button(panel, "Add").ClickAsync(new());
        await Input(panel, "Allowed countries").ChangeAsync(new() { Value = "XX" });
        await panel.Find("[data-testid=rate-limit-0]").QuerySelectorAll("input")[3].ChangeAsync(new() { Value = "999999999999" });
        await Button(panel, "Save protections").ClickAsync(new());

        panel.WaitForAssertion(() => Assert.Contains("is inside ipAllowlist[0]", panel.Find("[data-testid=ip-allowlist]").TextContent));
        Assert.Contains("'XX' is not an ISO 3166-1 alpha-2 country code", Field(panel, "Allowed countries").TextContent);
        Assert.Contains("a burst must be earned back within 31 days", Field(panel, "Burst (optional)").TextContent);
        Assert.Equal(999_999_999_999, Assert.Single(_sent).RateLimits?[0].Burst);
    }

    [Fact]
    public async Task Save_QuotaRemoved_SendsRemoveQuota()
    {
        var panel = RenderPanel(Key(new RequestProtections(Quota: new QuotaRule(100))), canChange: true);

        await Button(panel, "Remove quota").ClickAsync(new());
        await Button(panel, "Save protections").ClickAsync(new());

        var sent = Assert.Single(_sent);
        Assert.True(sent.RemoveQuota);
        Assert.Null(sent.IpAllowlist);
        Assert.Null(sent.RateLimits);
        Assert.Null(sent.Quota);
    }

    [Fact]
    public async Task Save_NothingChanged_SendsNothing()
    {
        var panel = RenderPanel(Key(new RequestProtections(["203.0.113.0/24"], new CountryRules(["DE", "FR"]))), canChange: true);

        await Input(panel, "Allowed countries").ChangeAsync(new() { Value = "fr, de" });
        await Button(panel, "Save protections").ClickAsync(new());

        Assert.Empty(_sent);
    }

    [Fact]
    public void Viewer_ReadsTheProtectionsWithoutEditing()
    {
        var panel = RenderPanel(Key(new RequestProtections(["203.0.113.0/24"], new CountryRules(["DE"]))), canChange: false);

        Assert.Contains("203.0.113.0/24", panel.Find("[data-testid=ip-allowlist]").TextContent);
        Assert.NotNull(Input(panel, "Allowed countries").GetAttribute("readonly"));
        Assert.DoesNotContain(panel.FindAll("button"), b => b.TextContent.Trim() is "Save protections" or "Add" or "Add limit" or "Add quota");
        Assert.Empty(panel.FindAll(".mud-chip-close-button"));
        Assert.DoesNotContain("Add network", panel.Markup);
    }

    [Fact]
    public void CountryRulesWithoutADatabase_SayTheyAreRefused()
    {
        Services.GetRequiredService<FakeCountryLookup>().IsAvailable = false;

        var withRules = RenderPanel(Key(new RequestProtections(Countries: new CountryRules(["DE"]))), canChange: true);
        var without = RenderPanel(Key(new RequestProtections(["203.0.113.0/24"])), canChange: true);

        Assert.Equal(GeoUnavailableWarning.Text, withRules.Find("[data-testid=geo-unavailable]").TextContent);
        Assert.Empty(without.FindAll("[data-testid=geo-unavailable]"));
    }

    private static ApiKey Key(RequestProtections protections) => new() { Name = "k", Hint = "h", Protections = protections, UpdatedAt = DateTimeOffset.UtcNow };

    private IRenderedComponent<KeyProtectionsPanel> RenderPanel(ApiKey key, bool canChange, Exception? refuse = null) =>
        Render<KeyProtectionsPanel>(p => p.Add(x => x.Key, key).Add(x => x.CanChange, canChange).Add(x => x.Save, changes =>
        {
            _sent.Add(changes);
            return refuse is null ? Task.FromResult<ApiKey?>(key) : Task.FromException<ApiKey?>(refuse);
        }));
}
