using System.Globalization;

namespace Portal.CommandLine;

/// <summary>Reads "30d", "12h", "90m" or an ISO 8601 date/time into an expiry instant.</summary>
public static class ExpiryParser
{
    public static DateTimeOffset Parse(string value, DateTimeOffset now)
    {
        if (value.Length >= 2 && int.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) && amount > 0)
        {
            switch (value[^1])
            {
                case 'd': return now.AddDays(amount);
                case 'h': return now.AddHours(amount);
                case 'm': return now.AddMinutes(amount);
            }
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return at.ToUniversalTime();
        }

        throw new ArgumentException($"--expires must look like 30d, 12h, 90m or an ISO 8601 date, not '{value}'.");
    }
}
