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

    /// <summary>
    /// The estimated bytes the cache of found keys may take (entries and the compiled access they
    /// hold, each distinct access once); 512 MiB by default, about twice what a million keys with a
    /// few scopes take. Keys with many large grants are evicted by this bound long before the count.
    /// </summary>
    [Range(1L << 20, 1L << 40, ErrorMessage = "Validation:MaxCacheBytes must be between 1048576 (1 MiB) and 1099511627776 (1 TiB).")]
    public long MaxCacheBytes { get; set; } = 512L << 20;

    /// <summary>
    /// The estimated bytes of compiled access shared between keys with the same grants (see
    /// <c>AccessCompiler</c>); 64 MiB by default. Past it, the least recently added forms are dropped.
    /// </summary>
    [Range(1L << 20, 1L << 40, ErrorMessage = "Validation:MaxSharedAccessBytes must be between 1048576 (1 MiB) and 1099511627776 (1 TiB).")]
    public long MaxSharedAccessBytes { get; set; } = 64L << 20;

    /// <summary>How long an unknown hash is remembered as unknown, so random tokens cannot hammer the database.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan NegativeCacheFor { get; set; } = TimeSpan.FromMinutes(1);

    [Range(1_000, 10_000_000)]
    public int MaxNegativeEntries { get; set; } = 100_000;
}
