namespace Portal.Core.Sessions;

/// <summary>
/// One sign-in of one person in one browser: created when the sign-in completes, named by a random
/// id the session cookie carries as a claim, ended by sign-out or by the person (or a change of what
/// proves them). Holds no credential: the id alone opens nothing without a cookie the portal's Data
/// Protection keys sealed.
/// </summary>
public sealed class UserSession
{
    public const int DeviceMaxLength = 100;

    /// <summary>Long enough for any IPv6 text form.</summary>
    public const int ClientIpMaxLength = 45;

    public const int SecurityStampMaxLength = 256;

    /// <summary>128 random bits from <see cref="System.Security.Cryptography.RandomNumberGenerator"/> (the source of <see cref="Guid.NewGuid"/> is not documented as cryptographic).</summary>
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Coarse: moved forward at most once per <see cref="UserSessions.LastSeenResolution"/>.</summary>
    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>When the session was ended on the server; null while it lives.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    public SessionEndReason? EndReason { get; set; }

    /// <summary>The user's security stamp when the session's cookie was last issued: a later stamp means the session is over (the list hides it).</summary>
    public string SecurityStamp { get; set; } = "";

    /// <summary>A short description of the browser ("Firefox on Linux"), never the raw User-Agent.</summary>
    public string Device { get; set; } = "";

    /// <summary>The client address as the portal saw it at sign-in (behind trusted proxies, the forwarded one).</summary>
    public string? ClientIp { get; set; }
}

/// <summary>Why a session was ended on the server (stored as text).</summary>
public enum SessionEndReason
{
    /// <summary>The person signed out in that browser.</summary>
    SignedOut,

    /// <summary>The person ended it from the sessions list of another browser.</summary>
    EndedByUser,

    /// <summary>"Sign out everywhere else".</summary>
    SignedOutElsewhere,

    /// <summary>The password was changed in another session.</summary>
    PasswordChanged,

    /// <summary>Two-factor authentication was turned on or off, or the authenticator was replaced, in another session.</summary>
    TwoFactorChanged,
}
