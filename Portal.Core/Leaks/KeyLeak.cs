namespace Portal.Core.Leaks;

/// <summary>
/// One token of a key reported as found in public: one row per token (a unique index on
/// <see cref="SecretId"/>), holding the last report that acted on it. A second report of the same
/// token does nothing while the token does not work; when it works again (its key active, the token
/// not retired) the report acts again and updates this row. While a row names a token of a key that
/// has not retired, the key's suspension cannot be lifted (the key must be rotated first). Holds no
/// key material: the token is known only by the stored row of its hash (<see cref="SecretId"/>), and
/// where it was found only as the reporter said, checked and cut to size.
/// </summary>
public sealed class KeyLeak
{
    public const int UrlMaxLength = 500;
    public const int SourceMaxLength = 40;
    public const int ReporterMaxLength = 100;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public Guid KeyId { get; set; }

    /// <summary>The <see cref="Keys.ApiKeySecret"/> (the token's stored hash) that was reported.</summary>
    public Guid SecretId { get; set; }

    /// <summary>Where the token was found: an absolute http(s) URL of at most <see cref="UrlMaxLength"/> characters, or null.</summary>
    public string? Url { get; set; }

    /// <summary>The kind of place it was found in (GitHub's <c>source</c>: <c>content</c>, <c>commit</c>, <c>gist_content</c>, … or <c>portal</c>), lower case.</summary>
    public required string Source { get; set; }

    /// <summary>Who reported it, as the organization may see it: <c>secret scanner (key …)</c> or <c>portal</c>.</summary>
    public required string Reporter { get; set; }

    /// <summary>What the report did to the key.</summary>
    public KeyLeakOutcome Outcome { get; set; }

    public DateTimeOffset ReportedAt { get; set; }
}

/// <summary>What a leak report did to its key.</summary>
public enum KeyLeakOutcome
{
    /// <summary>Nothing: the key was already revoked or expired, already suspended or disabled (under the suspend policy), or the token already retired.</summary>
    None = 0,

    /// <summary>The key was revoked.</summary>
    Revoked = 1,

    /// <summary>The key was suspended until it is rotated and an admin lifts the suspension.</summary>
    Suspended = 2,
}
