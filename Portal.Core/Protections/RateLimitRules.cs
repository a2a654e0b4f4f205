using System.Globalization;
using System.Text;

namespace Portal.Core.Protections;

/// <summary>Checks and compiles rate limits and quotas (<see cref="RateLimitRule"/>, <see cref="QuotaRule"/>).</summary>
public static class RateLimitRules
{
    /// <summary>The longest limit name.</summary>
    public const int MaxNameLength = 32;

    /// <summary>
    /// The policy name of the quota in <see cref="RateLimitPlan.PolicyHeader"/> and of its
    /// <see cref="LimitState"/>; no limit may take it.
    /// </summary>
    public const string QuotaName = "quota";

    /// <summary>
    /// The window (<c>w</c>) advertised for a monthly quota: a nominal 30-day month. The header is
    /// formatted once per plan, so it cannot follow the calendar; the <c>RateLimit</c> field's reset
    /// (<see cref="LimitOutcome.ResetSeconds"/>) carries the exact time to the next refill.
    /// </summary>
    public const long NominalMonthSeconds = 30L * 24 * 3600;

    private const long SecondsPerDay = 24L * 3600;

    /// <summary>
    /// Checks and compiles limits, in the order given. Messages under <c>{field}[i].limit</c>,
    /// <c>{field}[i].periodSeconds</c> and <c>{field}[i].burst</c> for a value that is zero,
    /// negative or above its maximum (<see cref="RateLimitPlan.MaxAmount"/>,
    /// <see cref="RateLimitPlan.MaxPeriodSeconds"/>; a burst also at most what is earned back within
    /// <see cref="RateLimitPlan.MaxPeriodSeconds"/>, which keeps every tick sum far from overflow);
    /// under <c>{field}[i].name</c> for a missing or invalid name (<c>[a-z0-9_-]</c>, at most
    /// <see cref="MaxNameLength"/>), the reserved <see cref="QuotaName"/>, or a name given twice;
    /// under <c>{field}[i]</c> for a null entry; under <paramref name="field"/> for more than
    /// <see cref="RateLimitPlan.MaxLimits"/> limits. Returns the compiled limits (empty when
    /// <paramref name="rules"/> is null or empty, or when anything was refused).
    /// </summary>
    /// <remarks>
    /// GCRA parameters: emission = period ticks / limit, rounded down to a whole tick and at least 1
    /// (so a rate above 10,000,000 per second is held to that; rounding down lets through at most
    /// one extra request per period); tolerance = (burst − 1) × emission; burst defaults to the limit.
    /// </remarks>
    public static CompiledRateLimit[] CompileLimits(IReadOnlyList<RateLimitRule?>? rules, string field, Dictionary<string, string[]> errors)
    {
        if (rules is null || rules.Count == 0)
        {
            return [];
        }

        // Counted before any entry is read: the work below is bounded whatever a request holds.
        if (rules.Count > RateLimitPlan.MaxLimits)
        {
            errors[field] = [$"A key or API can have at most {RateLimitPlan.MaxLimits} rate limits."];
            return [];
        }

        var before = errors.Count;
        var compiled = new CompiledRateLimit[rules.Count];
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var at = $"{field}[{i}]";
            if (rule is null)
            {
                errors[at] = ["A rate limit cannot be null."];
                continue;
            }

            CheckName(rule.Name, rules, i, field, errors);
            var limitOk = CheckAmount(rule.Limit, $"{at}.limit", "The limit", errors);
            var periodOk = true;
            if (rule.PeriodSeconds < 1)
            {
                errors[$"{at}.periodSeconds"] = ["The period must be at least 1 second."];
                periodOk = false;
            }
            else if (rule.PeriodSeconds > RateLimitPlan.MaxPeriodSeconds)
            {
                errors[$"{at}.periodSeconds"] = [$"The period must be at most {RateLimitPlan.MaxPeriodSeconds} seconds (31 days)."];
                periodOk = false;
            }

            var burst = rule.Burst ?? rule.Limit;
            var burstOk = rule.Burst is null || CheckAmount(burst, $"{at}.burst", "The burst", errors);
            if (!limitOk || !periodOk || !burstOk)
            {
                continue;
            }

            var emission = Math.Max(1, rule.PeriodSeconds * TimeSpan.TicksPerSecond / rule.Limit);

            // A burst is earned back at one request per emission: past 31 days of that, the
            // tolerance would only let clients stockpile requests (and could overflow the ticks).
            var maxBurst = (RateLimitPlan.MaxPeriodSeconds * TimeSpan.TicksPerSecond / emission) + 1;
            if (burst > maxBurst)
            {
                errors[$"{at}.burst"] = [$"The burst must be at most {maxBurst} for {rule.Limit} per {rule.PeriodSeconds} s: a burst must be earned back within 31 days."];
                continue;
            }

            compiled[i] = new CompiledRateLimit(rule.Name!, rule.Limit, rule.PeriodSeconds, burst, emission, (burst - 1) * emission);
        }

        return errors.Count == before ? compiled : [];
    }

    /// <summary>
    /// Checks a quota: remaining credits zero or more (<c>{field}.remaining</c>), a refill with a
    /// positive amount (<c>{field}.refill.amount</c>) and a period (a refill without one is refused
    /// under <c>{field}.refill.period</c>), amounts at most <see cref="RateLimitPlan.MaxAmount"/>.
    /// Nothing to check when <paramref name="quota"/> is null.
    /// </summary>
    public static void CheckQuota(QuotaRule? quota, string field, Dictionary<string, string[]> errors)
    {
        if (quota is null)
        {
            return;
        }

        if (quota.Remaining < 0)
        {
            errors[$"{field}.remaining"] = ["The remaining credits must be 0 or more."];
        }
        else if (quota.Remaining > RateLimitPlan.MaxAmount)
        {
            errors[$"{field}.remaining"] = [$"The remaining credits must be at most {RateLimitPlan.MaxAmount}."];
        }

        if (quota.Refill is not { } refill)
        {
            return;
        }

        CheckAmount(refill.Amount, $"{field}.refill.amount", "A refill amount", errors);
        if (refill.Period is not { } period)
        {
            errors[$"{field}.refill.period"] = ["A refill needs a period: day or month."];
        }
        else if (!Enum.IsDefined(period))
        {
            errors[$"{field}.refill.period"] = [$"'{(int)period}' is not a refill period: use day or month."];
        }
    }

    /// <summary>
    /// The plan for compiled limits and a quota; null when both are empty. Its
    /// <see cref="RateLimitPlan.PolicyHeader"/> is the <c>RateLimit-Policy</c> field of
    /// draft-ietf-httpapi-ratelimit-headers-10 (September 2025; the field's syntax is that of
    /// revisions 08 to 10): an RFC 8941 List with one Item per limit, its name as a String and
    /// the parameters <c>q</c> (the limit: requests per window) and <c>w</c> (the window in seconds),
    /// e.g. <c>"burst";q=20;w=1, "daily";q=10000;w=86400</c>; then the quota as the item
    /// <c>"quota"</c>: with a refill, <c>q</c> = the refill amount and <c>w</c> = 86400 (day) or
    /// <see cref="NominalMonthSeconds"/> (month); without one, <c>q</c> = the credits as set and no
    /// <c>w</c> (the draft makes it optional). The quota unit parameter <c>qu</c> is left at its
    /// default ("requests") even when endpoint costs take several credits per request.
    /// </summary>
    public static RateLimitPlan? Plan(CompiledRateLimit[] limits, QuotaPlan? quota)
    {
        if (limits.Length == 0 && quota is null)
        {
            return null;
        }

        var header = new StringBuilder();
        foreach (var limit in limits)
        {
            AppendItem(header, limit.Name, limit.Limit, limit.PeriodSeconds);
        }

        if (quota is not null)
        {
            if (quota.Refill is { Period: { } period } refill)
            {
                AppendItem(header, QuotaName, refill.Amount, period == QuotaPeriod.Day ? SecondsPerDay : NominalMonthSeconds);
            }
            else
            {
                AppendItem(header, QuotaName, quota.Remaining, window: null);
            }
        }

        return new RateLimitPlan(limits, quota) { PolicyHeader = header.ToString() };
    }

    /// <summary>
    /// The start of the quota period containing <paramref name="at"/> (00:00 UTC that day, or the
    /// first of that month at 00:00 UTC), and the start of the next one (the next day; the first of
    /// the next month, across year ends and whatever the month's length, leap Februaries included).
    /// Both in UTC (offset zero) whatever <paramref name="at"/>'s offset.
    /// </summary>
    public static (DateTimeOffset Start, DateTimeOffset Next) PeriodOf(QuotaPeriod period, DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        if (period == QuotaPeriod.Day)
        {
            var day = new DateTimeOffset(utc.Date, TimeSpan.Zero);
            return (day, day.AddDays(1));
        }

        var month = new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return (month, month.AddMonths(1));
    }

    private static void AppendItem(StringBuilder header, string name, long quota, long? window)
    {
        if (header.Length > 0)
        {
            header.Append(", ");
        }

        // Names are [a-z0-9_-]: a valid sf-string without escapes.
        header.Append('"').Append(name).Append("\";q=").Append(quota.ToString(CultureInfo.InvariantCulture));
        if (window is { } w)
        {
            header.Append(";w=").Append(w.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static bool CheckAmount(long value, string key, string what, Dictionary<string, string[]> errors)
    {
        if (value < 1)
        {
            errors[key] = [$"{what} must be at least 1."];
            return false;
        }

        if (value > RateLimitPlan.MaxAmount)
        {
            errors[key] = [$"{what} must be at most {RateLimitPlan.MaxAmount}."];
            return false;
        }

        return true;
    }

    private static void CheckName(string? name, IReadOnlyList<RateLimitRule?> rules, int index, string field, Dictionary<string, string[]> errors)
    {
        var key = $"{field}[{index}].name";
        if (string.IsNullOrEmpty(name))
        {
            errors[key] = [$"A limit needs a name (a-z, 0-9, _ and -, at most {MaxNameLength} characters)."];
            return;
        }

        if (name.Length > MaxNameLength || !IsNameText(name))
        {
            var shown = name.Length > MaxNameLength ? name[..MaxNameLength] + "…" : name;
            errors[key] = [$"'{shown}' is not a limit name: use a-z, 0-9, _ and -, at most {MaxNameLength} characters."];
            return;
        }

        if (name == QuotaName)
        {
            errors[key] = [$"'{QuotaName}' names the key's quota in the RateLimit headers: choose another name."];
            return;
        }

        for (var j = 0; j < index; j++)
        {
            if (rules[j]?.Name == name)
            {
                errors[key] = [$"The name '{name}' is already used by {field}[{j}]."];
                return;
            }
        }
    }

    private static bool IsNameText(string name)
    {
        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
