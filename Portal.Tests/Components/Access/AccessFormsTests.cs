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
}
