namespace Portal.E2E.Gateway;

/// <summary>
/// One Portal and one nginx running <c>docs/gateways/nginx.conf</c>, shared by the tests of both of
/// its examples, which run one after another.
/// </summary>
[CollectionDefinition(Name)]
public sealed class NginxCollection : ICollectionFixture<NginxGateway>
{
    public const string Name = "nginx";
}
