using Bunit;
using Portal.Components.Keys;
using Portal.Core;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Validation;

namespace Portal.Tests.Components.Keys;

public sealed class TestAccessPanelTests : PortalComponentTest
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 11, 0, 0, TimeSpan.Zero);

    private static readonly ProtectedApi Orders = new() { Name = "orders api" };

    private static readonly ProtectedApi Billing = new() { Name = "billing api" };

    private readonly List<AccessQuestion> _questions = [];

    [Fact]
    public async Task Allowed_ShowsCodeRuleAndTheDecidingGrantWithItsSet()
    {
        var panel = RenderPanel(_ => new AccessExplanation(
            ReasonCodes.Valid, Now, "orders:read", new CompiledRule(Guid.NewGuid(), "GET", "/orders/{id}", "orders:read"),
            UnmatchedAllowed: false, new Grant("orders:read", ["order/eu-*"]), new GrantOrigin(Guid.NewGuid(), "order readers", 3)));

        await panel.Find("input[placeholder='/orders/42']").ChangeAsync(new() { Value = "/orders/42" });
        await Button(panel, "Test").ClickAsync(new());

        // A request through the endpoint rules is asked of one API: the first one unless another is chosen.
        Assert.Equal(new AccessQuestion("GET", "/orders/42", ApiId: Orders.Id), _questions.Single());
        var result = panel.WaitForElement("[aria-label='Test result']").TextContent;
        Assert.Contains("Allowed — VALID", result);
        Assert.Contains("Endpoint rule GET /orders/{id} requires orders:read.", result);
        Assert.Contains("only order/eu-*; always", result);
        Assert.Contains("set order readers v3", result);
    }

    [Fact]
    public async Task Allowed_ShowsEveryDoorsAnswerAndWhatAnUpstreamIsTold()
    {
        var forwarded = new OpenAccess(["orders:read"], [new ResourceFilter("assets:read", ["asset/eu-*"])]);
        var panel = RenderPanel(_ => new AccessExplanation(ReasonCodes.Valid, Now, "orders:read", null, false, new Grant("orders:read"), GrantOrigin.Direct, forwarded));

        await panel.FindAll("input[type=radio]")[1].ClickAsync(new());
        await panel.WaitForElement("input[placeholder='orders:read']").ChangeAsync(new() { Value = "orders:read" });
        await Button(panel, "Test").ClickAsync(new());

        var result = panel.WaitForElement("[aria-label='Test result']").TextContent;
        Assert.Contains("Every door allows it", result);
        Assert.Contains("X-Auth-Scopes: orders:read", result);
        Assert.Contains("X-Auth-Resource-Filters: (\"asset/eu-*\");scope=\"assets:read\"", result);
    }

    [Fact]
    public async Task Denied_OutsideTimeWindow_SaysEveryDoorAnswers403()
    {
        var panel = RenderPanel(_ => new AccessExplanation(ReasonCodes.OutsideTimeWindow, Now, "orders:read", null, false, null, null));

        await panel.FindAll("input[type=radio]")[1].ClickAsync(new());
        await panel.WaitForElement("input[placeholder='orders:read']").ChangeAsync(new() { Value = "orders:read" });
        await Button(panel, "Test").ClickAsync(new());

        var result = panel.WaitForElement("[aria-label='Test result']").TextContent;
        Assert.Contains("answer 403 with this code", result);
        Assert.DoesNotContain("X-Auth-Scopes", result);
    }

    [Fact]
    public async Task Denied_UnmatchedPath_SaysTheApiRefusesIt()
    {
        var panel = RenderPanel(_ => new AccessExplanation(ReasonCodes.NoMatchingRule, Now, null, null, false, null, null));

        await panel.Find("input[placeholder='/orders/42']").ChangeAsync(new() { Value = "/nowhere" });
        await Button(panel, "Test").ClickAsync(new());

        var result = panel.WaitForElement("[aria-label='Test result']").TextContent;
        Assert.Contains("Denied — NO_MATCHING_RULE", result);
        Assert.Contains(ReasonWords.Of(ReasonCodes.NoMatchingRule), result);
        Assert.Contains("No endpoint rule matches, and the API refuses requests no rule matches.", result);
    }

    [Fact]
    public async Task BadInput_ShowsTheServiceMessagesOnTheFields()
    {
        var panel = RenderPanel(_ => throw new InvalidRequestException(new Dictionary<string, string[]>
        {
            ["path"] = ["A path starts with '/', e.g. /orders/42."],
            ["resource"] = ["'x' is not a resource: use type/id, e.g. asset/eu-17."],
        }));

        await Button(panel, "Test").ClickAsync(new());

        panel.WaitForAssertion(() => Assert.Contains("A path starts with '/'", panel.Markup));
        Assert.Contains("is not a resource", panel.Markup);
        Assert.Empty(panel.FindAll("[aria-label='Test result']"));
    }

    [Fact]
    public async Task ScopeMode_AsksForTheScopeAndResource()
    {
        var panel = RenderPanel(_ => new AccessExplanation(ReasonCodes.ResourceNotAllowed, Now, "assets:read", null, false, null, null));

        await panel.FindAll("input[type=radio]")[1].ClickAsync(new());
        await panel.WaitForElement("input[placeholder='orders:read']").ChangeAsync(new() { Value = "assets:read" });
        await panel.Find("input[placeholder='asset/eu-17']").ChangeAsync(new() { Value = "asset/us-1" });
        await Button(panel, "Test").ClickAsync(new());

        var question = Assert.Single(_questions);
        Assert.Equal(("assets:read", "asset/us-1"), (question.Scope, question.Resource));
        Assert.Contains("not this resource", panel.WaitForElement("[aria-label='Test result']").TextContent);
    }

    [Fact]
    public async Task ClientAddress_IsAskedAndTheDecidingListNamed()
    {
        var panel = RenderPanel(_ => new AccessExplanation(ReasonCodes.IpNotAllowed, Now, null, null, false, null, null,
            DecidedBy: ProtectionSource.KeyAllowlist, Address: "198.51.100.7"));

        await panel.Find("input[placeholder='/orders/42']").ChangeAsync(new() { Value = "/orders/42" });
        await panel.Find("input[placeholder='203.0.113.7']").ChangeAsync(new() { Value = "198.51.100.7" });
        await Button(panel, "Test").ClickAsync(new());

        Assert.Equal("198.51.100.7", Assert.Single(_questions).ClientAddress);
        var result = panel.WaitForElement("[aria-label='Test result']").TextContent;
        Assert.Contains("Denied — IP_NOT_ALLOWED", result);
        Assert.Contains("Decided by the key's IP allowlist: 198.51.100.7 is outside it.", result);
        Assert.Contains("answer 403 with this code", result);
        Assert.DoesNotContain("Endpoint rule", result);
    }

    [Theory]
    [InlineData(ReasonCodes.GeoBlocked, ProtectionSource.ApiCountries, "Decided by the API's country rules: 198.51.100.7 (placed in KP).")]
    [InlineData(ReasonCodes.GeoBlocked, ProtectionSource.OrganizationDeniedCountries, "Decided by the organization's denied countries: 198.51.100.7 (placed in KP).")]
    [InlineData(ReasonCodes.IpNotAllowed, ProtectionSource.OrganizationDeniedNetworks, "Decided by the organization's denied networks: 198.51.100.7 is in one.")]
    [InlineData(ReasonCodes.IpNotAllowed, ProtectionSource.ApiAllowlist, "Decided by the API's IP allowlist: 198.51.100.7 is outside it.")]
    [InlineData(ReasonCodes.GeoUnavailable, null, "no country database is loaded")]
    public async Task AddressRefusals_SayWhichRuleDecided(string code, ProtectionSource? source, string words)
    {
        var panel = RenderPanel(_ => new AccessExplanation(code, Now, null, null, false, null, null, DecidedBy: source, Address: "198.51.100.7", Country: "KP"));

        await panel.Find("input[placeholder='/orders/42']").ChangeAsync(new() { Value = "/orders/42" });
        await panel.Find("input[placeholder='203.0.113.7']").ChangeAsync(new() { Value = "198.51.100.7" });
        await Button(panel, "Test").ClickAsync(new());

        var result = panel.WaitForElement("[aria-label='Test result']").TextContent;
        Assert.Contains(words, result);
        Assert.Contains(AccessWords.Reason(code), result);
        Assert.NotEqual(code, AccessWords.Reason(code));
    }

    [Fact]
    public async Task BadClientAddress_ShowsTheMessageOnTheField()
    {
        var panel = RenderPanel(_ => throw new InvalidRequestException("clientAddress", "'x' is not an IP address: give one such as 203.0.113.7 or 2001:db8::1."));

        await panel.Find("input[placeholder='203.0.113.7']").ChangeAsync(new() { Value = "x" });
        await Button(panel, "Test").ClickAsync(new());

        panel.WaitForAssertion(() => Assert.Contains("is not an IP address", panel.Find("input[placeholder='203.0.113.7']").Closest("div.mud-input-control")!.TextContent));
    }

    private IRenderedComponent<TestAccessPanel> RenderPanel(Func<AccessQuestion, AccessExplanation> answer) =>
        Render<TestAccessPanel>(p => p.Add(t => t.Apis, [Orders, Billing]).Add(t => t.Explain, question =>
        {
            _questions.Add(question);
            return Task.FromResult<AccessExplanation?>(answer(question));
        }));

    private static AngleSharp.Dom.IElement Button(IRenderedComponent<TestAccessPanel> panel, string text) =>
        panel.FindAll("button").First(b => b.TextContent.Trim() == text);
}
