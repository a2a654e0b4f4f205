namespace Portal.Core.Validation;

/// <summary>What the request the key came with asks for.</summary>
/// <param name="RequiredScope">The scope the request needs, or null (see <paramref name="UseEndpointRules"/>).</param>
/// <param name="ClientIp">The client's address, when known.</param>
/// <param name="Method">The original request's method, when known.</param>
/// <param name="Path">The original request's path (and query), when known.</param>
/// <param name="Resource">A resource the request touches (<c>asset/eu-17</c>), checked against the grants' filters.</param>
/// <param name="UseEndpointRules">
/// With no required scope: true derives it from the organization's endpoint rules for
/// <paramref name="Method"/> and <paramref name="Path"/> (the gateway check); false authenticates the key only.
/// </param>
public readonly record struct RequestContext(
    string? RequiredScope = null,
    string? ClientIp = null,
    string? Method = null,
    string? Path = null,
    string? Resource = null,
    bool UseEndpointRules = false);
