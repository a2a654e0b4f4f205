namespace Portal.Core.Usage;

/// <summary>A time range of a usage chart, <c>[From, To)</c>, in UTC.</summary>
public sealed record UsageRange
{
    public static readonly TimeSpan MaxLength = TimeSpan.FromDays(366);

    /// <summary>The latest end a range may have: its last day still fits in <see cref="DateTimeOffset"/>.</summary>
    public static readonly DateTimeOffset Latest = new(DateTimeOffset.MaxValue.UtcDateTime.Date, TimeSpan.Zero);

    /// <summary>The preset names the portal and the CSV endpoints accept, with their lengths.</summary>
    public static readonly IReadOnlyDictionary<string, TimeSpan> Presets = new Dictionary<string, TimeSpan>
    {
        ["1h"] = TimeSpan.FromHours(1),
        ["24h"] = TimeSpan.FromHours(24),
        ["7d"] = TimeSpan.FromDays(7),
        ["30d"] = TimeSpan.FromDays(30),
    };

    private UsageRange(DateTimeOffset from, DateTimeOffset to)
    {
        From = from.ToUniversalTime();
        To = to.ToUniversalTime();
    }

    public DateTimeOffset From { get; }

    public DateTimeOffset To { get; }

    public TimeSpan Length => To - From;

    /// <summary>The last <paramref name="length"/> up to <paramref name="now"/>.</summary>
    public static UsageRange Last(TimeSpan length, DateTimeOffset now) => new(now - length, now);

    /// <summary>A range picked by hand. Throws, naming the field, when a bound is missing or the start is not before the end.</summary>
    public static UsageRange Custom(DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is null)
        {
            throw new InvalidRequestException("from", "Choose the start of the range.");
        }

        if (to is null)
        {
            throw new InvalidRequestException("to", "Choose the end of the range.");
        }

        if (to > Latest)
        {
            // The charts round the end up to a whole day, which past this day leaves DateTimeOffset's range.
            throw new InvalidRequestException("to", $"The end of the range must be at most {Latest:yyyy-MM-dd}.");
        }

        if (from >= to)
        {
            throw new InvalidRequestException("from", "The start of the range must be before its end.");
        }

        if (to - from > MaxLength)
        {
            throw new InvalidRequestException("to", $"A range can be at most {MaxLength.TotalDays:0} days long.");
        }

        return new UsageRange(from.Value, to.Value);
    }

    /// <summary>
    /// A preset name (<c>1h</c>, <c>24h</c>, <c>7d</c>, <c>30d</c>) ending now, or <c>custom</c> with
    /// both bounds; no name means the last 24 hours.
    /// </summary>
    public static UsageRange Parse(string? range, DateTimeOffset? from, DateTimeOffset? to, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(range))
        {
            return from is null && to is null ? Last(Presets["24h"], now) : Custom(from, to);
        }

        if (range == "custom")
        {
            return Custom(from, to);
        }

        return Presets.TryGetValue(range, out var length)
            ? Last(length, now)
            : throw new InvalidRequestException("range", $"Range must be one of: {string.Join(", ", Presets.Keys)}, custom.");
    }
}
