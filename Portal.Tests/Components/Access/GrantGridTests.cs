using Bunit;
using Portal.Components.Access;
using Portal.Components.Shared;
using Portal.Core;
using Portal.Core.Access;

namespace Portal.Tests.Components.Access;

public sealed class GrantGridTests : PortalComponentTest
{
    private static readonly IReadOnlyList<ApiResource> Catalog =
    [
        new() { Name = "invoices" },
        new() { Name = "orders", CustomActions = ["refund"] },
    ];

    private readonly List<GrantDraft> _drafts = [];
    private readonly FieldErrors _errors = new();

    [Fact]
    public void Render_Catalog_OneCheckboxPerResourceAndAction()
    {
        var grid = RenderGrid(Catalog);

        var cells = grid.FindAll("input[type=checkbox]").Select(c => grid.Find($"#{c.GetAttribute("aria-labelledby")}").TextContent).ToList();

        Assert.Equal(["invoices:read", "invoices:write", "invoices:admin", "orders:read", "orders:write", "orders:admin", "orders:refund"], cells);
        Assert.DoesNotContain("catalog is empty", grid.Markup);
    }

    [Fact]
    public async Task CheckCells_ProduceGrantsInOrder_AndUncheckRemovesThem()
    {
        var grid = RenderGrid(Catalog);

        await Cell(grid, "orders:refund").ChangeAsync(new() { Value = true });
        await Cell(grid, "invoices:read").ChangeAsync(new() { Value = true });
        await Cell(grid, "orders:refund").ChangeAsync(new() { Value = false });

        Assert.Equal([new Grant("invoices:read")], _drafts.Select(d => d.ToGrant()));
        grid.WaitForAssertion(() => Assert.Single(grid.FindAll("[data-testid=grant]")));
    }

    [Fact]
    public async Task Conditions_ResourcePatternsAndWindow_BecomePartOfTheGrant()
    {
        var grid = RenderGrid(Catalog);
        await Cell(grid, "orders:read").ChangeAsync(new() { Value = true });

        await Button(grid, "Conditions").ClickAsync(new());
        await grid.Find("input[placeholder='asset/eu-*']").InputAsync(new() { Value = "order/eu-*, order/uk-*" });
        await Button(grid, "Add pattern").ClickAsync(new());
        await grid.Find("input[placeholder='Europe/Berlin']").InputAsync(new() { Value = "Europe/Berlin" });
        await Button(grid, "Add time window").ClickAsync(new());

        var grant = _drafts.Single().ToGrant();
        Assert.Equal(["order/eu-*", "order/uk-*"], grant.Resources);
        grid.WaitForAssertion(() => Assert.Contains("only order/eu-*, order/uk-*; mon,tue,wed,thu,fri 09:00–17:00 (Europe/Berlin)", grid.Find("[data-testid=grant]").TextContent));
        Assert.Equal("Europe/Berlin", grant.Schedule?.TimeZone);
        var window = Assert.Single(grant.Schedule!.Windows!);
        Assert.Equal(("09:00", "17:00"), (window.Start, window.End));
        Assert.Equal(["mon", "tue", "wed", "thu", "fri"], window.Days);
    }

    [Fact]
    public async Task BadResourcePattern_IsRefusedOnTheField()
    {
        var grid = RenderGrid(Catalog);
        await Cell(grid, "orders:read").ChangeAsync(new() { Value = true });
        await Button(grid, "Conditions").ClickAsync(new());

        await grid.Find("input[placeholder='asset/eu-*']").InputAsync(new() { Value = "no slash" });
        await Button(grid, "Add pattern").ClickAsync(new());

        grid.WaitForAssertion(() => Assert.Contains("is not a resource pattern", grid.Markup));
        Assert.Empty(_drafts.Single().Resources);
    }

    [Fact]
    public void ServerMessages_AreShownOnTheGrantTheyNameAndTheWholeList()
    {
        _drafts.Add(new GrantDraft("orders:read"));
        _drafts.Add(new GrantDraft("orders:write"));
        _errors.Take(new InvalidRequestException(new Dictionary<string, string[]>
        {
            ["grants"] = ["The same grant appears twice."],
            ["grants[1].schedule.timeZone"] = ["'Mars/Base' is not an IANA time zone such as Europe/Berlin."],
        }));

        var grid = RenderGrid(Catalog);

        var grants = grid.FindAll("[data-testid=grant]");
        Assert.DoesNotContain("Mars/Base", grants[0].TextContent);
        Assert.Contains("'Mars/Base' is not an IANA time zone", grants[1].TextContent);
        Assert.Contains("The same grant appears twice.", grid.Markup);
    }

    [Fact]
    public void ServerMessage_OnAnOpenGrant_IsShownOnceOnItsInput()
    {
        var draft = new GrantDraft("orders:read") { TimeZone = "Mars/Base", Expanded = true };
        draft.Windows.Add(new WindowDraft());
        _drafts.Add(draft);
        _errors.Take(new InvalidRequestException("grants[0].schedule.timeZone", "'Mars/Base' is not an IANA time zone such as Europe/Berlin."));

        var grid = RenderGrid(Catalog);

        var field = grid.Find("input[placeholder='Europe/Berlin']").Closest(".mud-input-control")!;
        Assert.Contains("is not an IANA time zone", field.TextContent);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(grid.Markup, "is not an IANA time zone"));
    }

    [Fact]
    public async Task EmptyCatalog_SaysAnyScopeIsAccepted_AndTakesTypedScopes()
    {
        var grid = RenderGrid([]);
        Assert.Contains("catalog is empty", grid.Markup);
        Assert.Empty(grid.FindAll("input[type=checkbox]"));

        await grid.Find("input[placeholder='orders:read']").InputAsync(new() { Value = "Bad Scope" });
        await Button(grid, "Add scope").ClickAsync(new());
        grid.WaitForAssertion(() => Assert.Contains("is not a scope", grid.Markup));

        await grid.Find("input[placeholder='orders:read']").InputAsync(new() { Value = "billing:read, keys:verify" });
        await Button(grid, "Add scope").ClickAsync(new());

        Assert.Equal(["billing:read", "keys:verify"], _drafts.Select(d => d.Scope));
    }

    private IRenderedComponent<GrantGrid> RenderGrid(IReadOnlyList<ApiResource> catalog) =>
        Render<GrantGrid>(p => p
            .Add(g => g.Catalog, catalog)
            .Add(g => g.Drafts, _drafts)
            .Add(g => g.Errors, _errors));

    // MudCheckBox names its input through a screen-reader-only span (aria-labelledby).
    private static AngleSharp.Dom.IElement Cell(IRenderedComponent<GrantGrid> grid, string scope)
    {
        var label = grid.FindAll("span.mud-sr-only").Single(s => s.TextContent == scope);
        return grid.Find($"input[type=checkbox][aria-labelledby='{label.Id}']");
    }

    private static AngleSharp.Dom.IElement Button(IRenderedComponent<GrantGrid> grid, string text) =>
        grid.FindAll("button").First(b => b.TextContent.Trim() == text);
}
