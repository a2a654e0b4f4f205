using Bunit;
using MudBlazor;
using Portal.Components.Access;
using Portal.Core;
using Portal.Core.Access;

namespace Portal.Tests.Components.Access;

public sealed class AccessFormsTests : PortalComponentTest
{
    [Fact]
    public async Task EditResourceDialog_ServiceMessages_AreShownOnTheirFields()
    {
        var host = this.RenderDialogHost();
        var drafts = new List<ResourceDraft>();
        await host.ShowDialogAsync(this, new DialogParameters<EditResourceDialog>
        {
            {
                d => d.Save, draft =>
                {
                    drafts.Add(draft);
                    throw new InvalidRequestException(new Dictionary<string, string[]>
                    {
                        ["name"] = ["'Orders' is not a resource name: lower-case letters."],
                        ["customActions"] = ["At most 20 custom actions."],
                    });
                }
            },
        });

        host.FindAll("input")[0].Input("Orders");
        host.Find("input[placeholder=refund]").Input("refund, void");
        await host.FindAll("button").Single(b => b.TextContent.Trim() == "Save").ClickAsync(new());

        Assert.Equal(new[] { "refund", "void" }, drafts.Single().CustomActions);
        host.WaitForAssertion(() => Assert.Contains("is not a resource name", host.Markup));
        Assert.Contains("At most 20 custom actions.", host.Markup);
        Assert.NotEmpty(host.FindAll(".mud-dialog"));
    }

    [Fact]
    public async Task EditResourceDialog_StandardActionAsCustom_IsRefusedBeforeSaving()
    {
        var host = this.RenderDialogHost();
        var calls = 0;
        await host.ShowDialogAsync(this, new DialogParameters<EditResourceDialog> { { d => d.Save, _ => { calls++; return Task.FromResult<ApiResource?>(null); } } });

        host.FindAll("input")[0].Input("orders");
        host.Find("input[placeholder=refund]").Input("write");
        await host.FindAll("button").Single(b => b.TextContent.Trim() == "Save").ClickAsync(new());

        host.WaitForAssertion(() => Assert.Contains("'write' is a standard action", host.Markup));
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task AddEndpointRuleForm_ServiceMessages_AreShownOnTheirFields()
    {
        var form = Render<AddEndpointRuleForm>(p => p
            .Add(f => f.Catalog, [])
            .Add(f => f.Add, (_, _, _) => throw new InvalidRequestException(new Dictionary<string, string[]>
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
    public async Task AddEndpointRuleForm_Conflict_IsShownOnThePath()
    {
        var added = new List<(string?, string?, string?)>();
        var form = Render<AddEndpointRuleForm>(p => p
            .Add(f => f.Catalog, [])
            .Add(f => f.Add, (method, path, scope) =>
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
