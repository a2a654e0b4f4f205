namespace Portal.Core.Permissions;

/// <summary>How the "who may" room answered.</summary>
public enum PermissionOutcome
{
    /// <summary>The caller may do it.</summary>
    Allowed,

    /// <summary>
    /// The caller may not even see the organization or object: answered exactly as "does not exist",
    /// so ids cannot be probed across tenants or members.
    /// </summary>
    Hidden,

    /// <summary>The caller may see the object but not do this to it (403 with <see cref="Permission.Reason"/>).</summary>
    Denied,
}

/// <summary>
/// An answer of the "who may" room, with the reason in words a person can act on and, for a key,
/// the reason code its grants gave (<c>INSUFFICIENT_SCOPE</c>, <c>OUTSIDE_TIME_WINDOW</c>, …).
/// </summary>
public readonly record struct Permission(PermissionOutcome Outcome, string? Reason = null, string? Code = null)
{
    public static Permission Allow { get; } = new(PermissionOutcome.Allowed);

    public static Permission Hide { get; } = new(PermissionOutcome.Hidden, "The organization or object does not exist, or you may not see it.");

    public bool IsAllowed => Outcome == PermissionOutcome.Allowed;

    /// <summary>Throws <see cref="NotFoundException"/> when hidden, <see cref="AccessDeniedException"/> when denied.</summary>
    public void ThrowIfRefused(string field = "id")
    {
        switch (Outcome)
        {
            case PermissionOutcome.Hidden:
                throw new NotFoundException(field, Reason!);
            case PermissionOutcome.Denied:
                throw new AccessDeniedException(Reason!, Code);
        }
    }
}
