using Portal.Core.Apis;
using Portal.Core.Validation;

namespace Portal.Core.Protections;

/// <summary>
/// What the validator asks about a request besides its key: the organization's shield, whether the
/// address is blocked, the client's country, the rate limits, and the watch for attacks. One
/// object, so that the validator's order of checks (DESIGN.md "Request protections") reads in one place.
/// </summary>
public sealed class RequestShield(OrganizationShieldCache shields, ThreatMonitor threats, IRateLimitStore limits, ICountryLookup countries)
{
    public ThreatMonitor Threats => threats;

    public IRateLimitStore Limits => limits;

    public ICountryLookup Countries => countries;

    /// <summary>The organization's shield (cached; one database read per organization and fresh period).</summary>
    public ValueTask<OrganizationShield> ShieldAsync(Guid organizationId, CancellationToken cancellationToken) =>
        shields.GetAsync(organizationId, cancellationToken);

    /// <summary>
    /// The client's country when a country rule of the key, the API or the organization applies:
    /// null when no database is loaded (fail closed), <see cref="CountryCode.None"/> when the address
    /// is unknown or not placed. Not looked up (<see cref="CountryCode.None"/>) when no rule needs it.
    /// </summary>
    public CountryCode? CountryFor(KeySnapshot key, ApiPolicy? api, OrganizationShield? shield, in ClientAddress address)
    {
        if (!key.Protections.NeedsCountry && api?.Protections.NeedsCountry != true && shield?.DeniedCountries.IsEmpty != false)
        {
            return CountryCode.None;
        }

        if (!countries.IsAvailable)
        {
            return null;
        }

        return address.IsKnown ? countries.Find(address) : CountryCode.None;
    }

    /// <summary>
    /// Takes the request's cost from the API's rate limits (counted per key and API) and from the
    /// key's own limits and quota (counted per key): an API's limits bind every key calling it, and a
    /// key's own bind it everywhere. Nothing is taken from anything when one refuses: the key's plan is
    /// checked first without charging, so a request it would refuse takes no token from the API's
    /// limits (a concurrent request taking the key's last token in between is the only way both are
    /// charged for one refusal). <paramref name="plan"/> is the plan that refused, or else the one whose
    /// state the answer's <c>RateLimit</c> describes.
    /// </summary>
    public LimitOutcome Acquire(KeySnapshot key, ApiPolicy? api, long cost, DateTimeOffset now, out RateLimitPlan? plan)
    {
        var own = key.Protections.Limits;
        var shared = api?.Protections.Limits;
        if (shared is null)
        {
            plan = own;
            return own is null ? LimitOutcome.Unlimited : limits.TryAcquire(key.KeyId, own, cost, now);
        }

        plan = shared;
        if (own is null)
        {
            return limits.TryAcquire(StateIdOf(key.KeyId, api!.Id), shared, cost, now);
        }

        if (!limits.Covers(key.KeyId, own, cost, now, out var refused))
        {
            plan = own;
            return refused;
        }

        var outcome = limits.TryAcquire(StateIdOf(key.KeyId, api!.Id), shared, cost, now);
        if (outcome.Verdict != LimitVerdict.Allowed)
        {
            return outcome;
        }

        var mine = limits.TryAcquire(key.KeyId, own, cost, now);
        plan = mine.Verdict != LimitVerdict.Allowed || mine.Remaining < outcome.Remaining ? own : shared;
        return mine.Verdict != LimitVerdict.Allowed ? mine : (plan == own ? mine : outcome with { QuotaRemaining = mine.QuotaRemaining });
    }

    /// <summary>The id the counters of a key at one API are kept under: the two ids combined, never equal to a key's own.</summary>
    public static Guid StateIdOf(Guid keyId, Guid apiId)
    {
        Span<byte> key = stackalloc byte[16];
        Span<byte> api = stackalloc byte[16];
        keyId.TryWriteBytes(key);
        apiId.TryWriteBytes(api);
        for (var i = 0; i < 16; i++)
        {
            key[i] ^= (byte)(api[i] * 31 + 7);
        }

        return new Guid(key);
    }
}
