using Portal.Components.Shared;
using Portal.Core.Protections;

namespace Portal.Components.Protections;

/// <summary>
/// The request protections of a key or an API as a form edits them, and the change (PATCH) that
/// turns the saved ones into these: only the parts that differ are sent, so saving the allowlist
/// leaves a quota's running count alone.
/// </summary>
public sealed class ProtectionsDraft
{
    private static readonly char[] CodeSeparators = [',', ' ', ';', '\t', '\r', '\n'];

    private readonly RequestProtections _saved;

    private ProtectionsDraft(RequestProtections saved)
    {
        _saved = saved;
        Allowlist = [.. saved.IpAllowlist ?? []];
        Allow = string.Join(", ", saved.Countries?.Allow ?? []);
        Deny = string.Join(", ", saved.Countries?.Deny ?? []);
        Limits = [.. (saved.RateLimits ?? []).Select(l => new RateLimitRow { Name = l.Name, Limit = l.Limit, PeriodSeconds = l.PeriodSeconds, Burst = l.Burst })];
        HasQuota = saved.Quota is not null;
        QuotaRemaining = saved.Quota?.Remaining;
        RefillAmount = saved.Quota?.Refill?.Amount;
        RefillPeriod = saved.Quota?.Refill?.Period;
    }

    /// <summary>The IP allowlist's entries (CIDRs as typed; the service normalises them).</summary>
    public List<string> Allowlist { get; }

    /// <summary>The country allow list as typed: codes separated by commas or spaces.</summary>
    public string? Allow { get; set; }

    /// <summary>The country deny list as typed.</summary>
    public string? Deny { get; set; }

    public List<RateLimitRow> Limits { get; }

    public bool HasQuota { get; set; }

    /// <summary>The credits to set; the running count is only replaced when the quota changes.</summary>
    public long? QuotaRemaining { get; set; }

    public long? RefillAmount { get; set; }

    public QuotaPeriod? RefillPeriod { get; set; }

    public static ProtectionsDraft From(RequestProtections? saved) => new(saved ?? RequestProtections.None);

    /// <summary>The codes of a typed list, upper case, in the order typed (so a message about <c>countries.allow[1]</c> names the second one typed).</summary>
    public static List<string> Codes(string? text) =>
        [.. (text ?? "").Split(CodeSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => c.ToUpperInvariant())];

    /// <summary>
    /// The change from the saved protections to this draft; <see cref="ProtectionChanges.IsEmpty"/>
    /// when nothing differs. Adds a message to <paramref name="errors"/> for what cannot be sent
    /// (a quota without its credits); the service checks everything else.
    /// </summary>
    /// <param name="quotaAllowed">False for an API, whose defaults take no quota.</param>
    public ProtectionChanges Changes(bool quotaAllowed, FieldErrors errors)
    {
        var allowlist = Allowlist.SequenceEqual(_saved.IpAllowlist ?? [], StringComparer.Ordinal) ? null : new List<string>(Allowlist);

        var allow = Codes(Allow);
        var deny = Codes(Deny);
        var countriesChanged = !Same(allow, _saved.Countries?.Allow) || !Same(deny, _saved.Countries?.Deny);
        var countries = countriesChanged ? new CountryRules(allow.Count == 0 ? null : allow, deny.Count == 0 ? null : deny) : null;

        var rules = Limits.Select(r => r.ToRule()).ToList();
        var limits = rules.SequenceEqual(_saved.RateLimits ?? []) ? null : rules;

        QuotaRule? quota = null;
        var removeQuota = false;
        if (quotaAllowed && HasQuota)
        {
            if (QuotaRemaining is not { } remaining)
            {
                errors.Add("quota.remaining", "Give the credits the key has now (0 or more).");
            }
            else
            {
                var refill = RefillAmount is null && RefillPeriod is null ? null : new QuotaRefill(RefillAmount ?? 0, RefillPeriod);
                var wanted = new QuotaRule(remaining, refill);
                quota = wanted == _saved.Quota ? null : wanted;
            }
        }
        else if (quotaAllowed && _saved.Quota is not null)
        {
            removeQuota = true;
        }

        return new ProtectionChanges(allowlist, countries, limits, quota, removeQuota);
    }

    // Codes compare as sets: the service stores them sorted and upper case.
    private static bool Same(List<string> typed, List<string>? saved) =>
        typed.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).SequenceEqual((saved ?? []).Order(StringComparer.Ordinal), StringComparer.Ordinal)
        && typed.Count == (saved?.Count ?? 0);
}

/// <summary>One rate limit as a form row edits it; blank numbers are sent as 0, which the service names as too small.</summary>
public sealed class RateLimitRow
{
    public string? Name { get; set; }

    public long? Limit { get; set; }

    public long? PeriodSeconds { get; set; }

    /// <summary>Requests that may arrive at once; blank for the limit itself.</summary>
    public long? Burst { get; set; }

    public RateLimitRule ToRule() => new(string.IsNullOrWhiteSpace(Name) ? null : Name.Trim(), Limit ?? 0, PeriodSeconds ?? 0, Burst);
}
