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
        var panel = RenderPanel(_ => new AccessExplanation(ReasonCodes.InsufficientScope, Now, null, null, false, null, null));

        await panel.Find("input[placeholder='/orders/42']").ChangeAsync(new() { Value = "/nowhere" });
        await Button(panel, "Test").ClickAsync(new());

        var result = panel.WaitForElement("[aria-label='Test result']").TextContent;
        Assert.Contains("Denied — INSUFFICIENT_SCOPE", result);
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

    private IRenderedComponent<TestAccessPanel> RenderPanel(Func<AccessQuestion, AccessExplanation> answer) =>
        Render<TestAccessPanel>(p => p.Add(t => t.Apis, [Orders, Billing]).Add(t => t.Explain, question =>
        {
            _questions.Add(question);
            return Task.FromResult<AccessExplanation?>(answer(question));
        }));

    private static AngleSharp.Dom.IElement Button(IRenderedComponent<TestAccessPanel> panel, string text) =>
        panel.FindAll("button").First(b => b.TextContent.Trim() == text);
}
