using Portal.Core.Keys;
using Portal.Core.Protections;

namespace Portal.Core.Apis;

/// <summary>Which key environments an API accepts; a flag set, at least one.</summary>
[Flags]
public enum ApiEnvironments
{
    Live = 1,
    Test = 2,
    Both = Live | Test,
}

/// <summary>
/// An API an organization's gateways protect. The gateway door is bound to one: its id is in the
/// check URL, and only keys of its organization, of an environment it accepts and not limited to
/// other APIs, pass it. Its endpoint rules name the scope each method and path needs.
/// </summary>
public sealed class ProtectedApi
{
    public const int NameMaxLength = 100;
    public const int DescriptionMaxLength = 300;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    /// <summary>The key environments whose keys may call this API; new APIs accept live keys only.</summary>
    public ApiEnvironments Environments { get; set; } = ApiEnvironments.Live;

    /// <summary>
    /// What the door does with a request that names no scope and matches no endpoint rule:
    /// false (the default) denies it, true lets any valid key allowed here through.
    /// </summary>
    public bool AllowUnmatchedRequests { get; set; }

    /// <summary>Whether literal path segments of the rules match with exact case; false matches them case-insensitively, as ASP.NET Core routing does.</summary>
    public bool CaseSensitivePaths { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Defaults for the keys calling this API: its IP allowlist and country rules apply to every request here (besides the key's own), its rate limits to keys that set none (no quota: quotas belong to keys).</summary>
    public RequestProtections Protections { get; set; } = RequestProtections.None;

    /// <summary>The id pasted into gateway configurations: <c>api_</c> and 32 lower-case hex digits.</summary>
    public string PublicId => ApiId.Format(Id);

    public bool Accepts(KeyEnvironment environment) => Environments.Accepts(environment);
}

public static class ApiEnvironmentsExtensions
{
    /// <summary>Whether keys of <paramref name="environment"/> may call an API accepting <paramref name="environments"/>.</summary>
    public static bool Accepts(this ApiEnvironments environments, KeyEnvironment environment) =>
        (environments & (environment == KeyEnvironment.Live ? ApiEnvironments.Live : ApiEnvironments.Test)) != 0;
}
