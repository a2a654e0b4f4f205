using Portal.Core.Organizations;

namespace Portal.Core.Leaks;

/// <summary>A token someone found in public, as reported: the token, where it was found (a URL, may be absent) and the kind of place.</summary>
public sealed record FoundToken(string Token, string? Url = null, string? Source = null);

/// <summary>Who reports leaked tokens.</summary>
public abstract record LeakReporter
{
    private LeakReporter()
    {
    }

    /// <summary>A secret scanner whose signed report verified with the configured key <paramref name="KeyIdentifier"/>.</summary>
    public sealed record Scanner(string KeyIdentifier) : LeakReporter;

    /// <summary>A person signed in to the portal (any user: the key may be of an organization they are not in).</summary>
    public sealed record PortalUser(Caller Caller) : LeakReporter;
}
