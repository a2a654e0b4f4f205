using Bunit;
using Portal.Components.Keys;
using Portal.Core.Access;
using Portal.Core.Organizations;

namespace Portal.Tests.Components.Keys;

public sealed class KeyPermissionPickersTests : PortalComponentTest
{
    private static readonly IReadOnlyList<ApiResource> Catalog = [new() { Name = "orders", CustomActions = ["refund"] }];

    [Fact]
    public async Task ScopePicker_Developer_OffersCatalogScopes_AdminActionsDisabled_NothingSelected()
    {
        var popovers = Popovers;
        var selected = new List<string>();
        var picker = Render<ScopePicker>(p => p.Add(s => s.Catalog, Catalog).Add(s => s.Role, OrganizationRole.Developer).Add(s => s.Selected, selected));

        await picker.Find("div.mud-input-control").MouseDownAsync(new());

        popovers.WaitForAssertion(() => Assert.NotEmpty(popovers.FindAll("div.mud-list-item")));
        var items = popovers.FindAll("div.mud-list-item");
        Assert.Equal(["orders:read", "orders:write", "orders:admin (admins only)", "orders:refund", "keys:manage", "keys:verify", "keys:admin (admins only)", "apis:read", "apis:manage"], items.Select(i => i.TextContent.Trim()));
        Assert.Contains("mud-list-item-disabled", items[2].ClassName);
        Assert.Equal([2, 6], items.Select((item, index) => (item, index)).Where(x => x.item.ClassList.Contains("mud-list-item-disabled")).Select(x => x.index));
        Assert.Empty(selected);
        Assert.Empty(picker.FindAll("input[placeholder='orders:read']"));
    }

    [Fact]
    public void ScopePicker_EmptyCatalog_LetsScopesBeTyped()
    {
        var picker = Render<ScopePicker>(p => p.Add(s => s.Catalog, []).Add(s => s.Selected, new List<string>()));

        Assert.NotNull(picker.Find("input[placeholder='orders:read']"));
    }

    [Fact]
    public async Task PermissionSetPicker_Developer_AdministrativeSetDisabledWithHint()
    {
        var popovers = Popovers;
        var now = DateTimeOffset.UtcNow;
        PermissionSetSummary[] sets =
        [
            new(Guid.NewGuid(), "order readers", null, 3, 1, 0, now, IsAdministrative: false),
            new(Guid.NewGuid(), "order admins", null, 1, 2, 0, now, IsAdministrative: true),
        ];
        var picker = Render<PermissionSetPicker>(p => p.Add(s => s.Sets, sets).Add(s => s.Role, OrganizationRole.Developer).Add(s => s.Selected, new List<Guid>()));

        await picker.Find("div.mud-input-control").MouseDownAsync(new());

        popovers.WaitForAssertion(() => Assert.Equal(2, popovers.FindAll("div.mud-list-item").Count));
        var items = popovers.FindAll("div.mud-list-item");
        Assert.Contains("order readers (v3, 1 grant)", items[0].TextContent);
        Assert.DoesNotContain("mud-list-item-disabled", items[0].ClassName);
        Assert.Contains("admins only", items[1].TextContent);
        Assert.Contains("mud-list-item-disabled", items[1].ClassName);
    }
}
