using Bunit;
using Portal.Components.Keys;
using Portal.Core.Keys;

namespace Portal.Tests.Components.Keys;

public sealed class KeysGridTests : PortalComponentTest
{
    private readonly List<KeyListQuery> _queries = [];

    [Fact]
    public void FirstLoad_AsksForFirstPageNewestFirst()
    {
        var grid = RenderGrid(hasMore: false);

        grid.WaitForAssertion(() => Assert.Single(_queries));
        Assert.Equal(new KeyListQuery(Organization, Sort: KeySort.CreatedAt, Descending: true, Offset: 0, Limit: 20), _queries[0]);
        Assert.Contains("key-0", grid.Markup);
    }

    [Fact]
    public async Task NextPage_AsksForTheNextOffset()
    {
        var grid = RenderGrid(hasMore: true);
        grid.WaitForAssertion(() => Assert.Single(_queries));

        await grid.Find("button[aria-label='Next page']").ClickAsync(new());

        grid.WaitForAssertion(() => Assert.Equal(2, _queries.Count));
        Assert.Equal(20, _queries[1].Offset);
        Assert.Equal(20, _queries[1].Limit);
    }

    [Fact]
    public void LastPage_DisablesNext()
    {
        var grid = RenderGrid(hasMore: false);
        grid.WaitForAssertion(() => Assert.Single(_queries));

        Assert.True(grid.Find("button[aria-label='Next page']").HasAttribute("disabled"));
    }

    [Fact]
    public void CreateButton_OnlyForThoseWhoMayCreate()
    {
        Assert.Contains("Create key", RenderGrid(hasMore: false, canCreate: true).Markup);
        Assert.DoesNotContain("Create key", RenderGrid(hasMore: false, canCreate: false).Markup);
    }

    private static readonly Guid Organization = Guid.NewGuid();

    private IRenderedComponent<KeysGrid> RenderGrid(bool hasMore, bool canCreate = true)
    {
        return Render<KeysGrid>(p => p
            .Add(g => g.OrganizationId, Organization)
            .Add(g => g.CanCreate, canCreate)
            .Add(g => g.Now, DateTimeOffset.UtcNow)
            .Add(g => g.Load, (query, _) =>
            {
                _queries.Add(query);
                var items = Enumerable.Range(query.Offset, query.Limit)
                    .Select(i => new KeyListItem(Guid.NewGuid(), $"key-{i}", "pk_test_abcd…wxyz", KeyEnvironment.Test, KeyStatus.Active, DateTimeOffset.UtcNow, null, null, Guid.NewGuid(), "dev@example.com"))
                    .ToList();
                return Task.FromResult(new KeyListPage(items, hasMore));
            }));
    }
}
