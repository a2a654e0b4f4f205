using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Validation;

/// <summary>Cache sizes and lifetimes of the validation hot path, bound from <c>Validation</c>.</summary>
public sealed class ValidationOptions
{
    public const string Section = "Validation";

    /// <summary>
    /// How long a cached key is served without a database read. Changes made on this node reach the
    /// cache at once; this is how long another node's change can take to arrive.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CacheFreshFor { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Past fresh, a cached key is still served (and refreshed in the background) up to this age.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CacheStaleFor { get; set; } = TimeSpan.FromSeconds(60);

    [Range(1_000, 50_000_000)]
    public int MaxCachedKeys { get; set; } = 1_000_000;

    /// <summary>How long an unknown hash is remembered as unknown, so random tokens cannot hammer the database.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan NegativeCacheFor { get; set; } = TimeSpan.FromMinutes(1);

    [Range(1_000, 10_000_000)]
    public int MaxNegativeEntries { get; set; } = 100_000;
}
