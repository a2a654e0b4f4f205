namespace Portal.E2E.Infrastructure;

/// <summary>
/// One Portal server and one browser shared by the tests of the collection, which run one after
/// another. Tests that need a server of their own (say, one not yet set up) take a
/// <see cref="PortalServer"/> as a class fixture instead.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalServer>, ICollectionFixture<BrowserFixture>
{
    public const string Name = "Portal";
}
