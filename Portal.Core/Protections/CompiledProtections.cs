namespace Portal.Core.Protections;

/// <summary>
/// A key's or an API's request protections, compiled for the doors: the IP allowlist, the country
/// rules, the rate-limit plan and whether requests must be signed. Immutable; built when a snapshot or an API is read.
/// </summary>
public sealed class CompiledProtections
{
    public static CompiledProtections None { get; } = new(NetworkList.Empty, CountryList.Empty, null);

    public CompiledProtections(NetworkList allowlist, CountryList countries, RateLimitPlan? limits)
    {
        Allowlist = allowlist;
        Countries = countries;
        Limits = limits;
    }

    /// <summary>The client's address must be in one of these networks (when any).</summary>
    public NetworkList Allowlist { get; }

    /// <summary>The client's country must pass these rules (when any).</summary>
    public CountryList Countries { get; }

    /// <summary>The rate limits and quota, or null for none.</summary>
    public RateLimitPlan? Limits { get; }

    /// <summary>Every request must carry a valid RFC 9421 signature (see <see cref="Signatures.MessageSignatures"/>).</summary>
    public bool RequireSignature { get; init; }

    /// <summary>Whether the client's country must be known to decide.</summary>
    public bool NeedsCountry => !Countries.IsEmpty;
}
