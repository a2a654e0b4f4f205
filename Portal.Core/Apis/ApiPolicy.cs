using Portal.Core.Access;
using Portal.Core.Keys;
using Portal.Core.Protections;

namespace Portal.Core.Apis;

/// <summary>
/// An API as the gateway door decides with it: its organization, the environments it accepts and
/// its compiled endpoint rules. Immutable; replaced, never edited, when the API or its rules change.
/// </summary>
public sealed class ApiPolicy(Guid id, Guid organizationId, ApiEnvironments environments, EndpointRuleMatcher rules)
{
    public Guid Id { get; } = id;

    /// <summary>The <c>api_…</c> form, formatted once for the door's response header.</summary>
    public string PublicId { get; } = ApiId.Format(id);

    public Guid OrganizationId { get; } = organizationId;

    public ApiEnvironments Environments { get; } = environments;

    public EndpointRuleMatcher Rules { get; } = rules;

    public bool Accepts(KeyEnvironment environment) => Environments.Accepts(environment);

    /// <summary>The API's IP allowlist and country rules (applied to every request here, besides the key's), and its default rate limits (for keys that set none, counted per key and API).</summary>
    public CompiledProtections Protections { get; init; } = CompiledProtections.None;
}
