using Bunit;
using Portal.Components.Apis;
using Portal.Core;

namespace Portal.Tests.Components.Apis;

public sealed class AddEndpointRuleFormTests : PortalComponentTest
{
    [Fact]
    public async Task Submit_ServiceMessages_AreShownOnTheirFields()
    {
        var form = Render<AddEndpointRuleForm>(p => p
            .Add(f => f.Catalog, [])
            .Add(f => f.Add, (_, _, _, _) => throw new InvalidRequestException(new Dictionary<string, string[]>
            {
                ["pathTemplate"] = ["'{id' is not a parameter: write {name}, or {**name} for the rest of the path."],
            })));

        await form.Find("input[placeholder='/orders/{id}']").ChangeAsync(new() { Value = "/orders/{id" });
        await form.Find("input[placeholder='orders:read']").ChangeAsync(new() { Value = "orders:read" });
        await form.FindAll("button").Single(b => b.TextContent.Trim() == "Add rule").ClickAsync(new());

        form.WaitForAssertion(() => Assert.Contains("is not a parameter", form.Markup));
        Assert.Contains("the catalog is empty, so any is accepted", form.Markup);
    }

    [Fact]
    public async Task Submit_Conflict_IsShownOnThePath()
    {
        var added = new List<(string?, string?, string?)>();
        var form = Render<AddEndpointRuleForm>(p => p
            .Add(f => f.Catalog, [])
            .Add(f => f.Add, (method, path, scope, _) =>
            {
                added.Add((method, path, scope));
                throw new ConflictException("pathTemplate", "'GET /orders/{id}' already requires 'orders:read'; delete it first to change it.");
            }));

        await form.Find("input[placeholder='/orders/{id}']").ChangeAsync(new() { Value = "/orders/{id}" });
        await form.Find("input[placeholder='orders:read']").ChangeAsync(new() { Value = "orders:write" });
        await form.FindAll("button").Single(b => b.TextContent.Trim() == "Add rule").ClickAsync(new());

        Assert.Equal(("GET", "/orders/{id}", "orders:write"), added.Single());
        form.WaitForAssertion(() => Assert.Contains("already requires", form.Markup));
    }
}
