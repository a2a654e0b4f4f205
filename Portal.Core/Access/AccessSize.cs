namespace Portal.Core.Access;

/// <summary>
/// Estimated heap sizes of compiled access, for caches bounded in bytes. The figures follow the
/// 64-bit CLR's layout (16-byte object header, 8-byte references, strings of 22 + 2 bytes per
/// character); they are estimates meant to track real growth within a small factor, not to the byte.
/// </summary>
public static class AccessSize
{
    private const long ObjectHeader = 16;
    private const long Reference = 8;

    /// <summary>The bytes a string of <paramref name="length"/> characters takes.</summary>
    public static long OfString(int length) => 22 + (2L * length);

    /// <summary>The bytes a string takes; 0 for null.</summary>
    public static long Of(string? text) => text is null ? 0 : OfString(text.Length);

    /// <summary>
    /// About how many bytes a compiled access holds: every grant with its scope, resource patterns
    /// and schedules (as given and compiled), the scope list, and the key's own schedule. Linear in
    /// what the access holds, so a cache calls it once per distinct access.
    /// </summary>
    public static long Of(CompiledAccess access)
    {
        var bytes = ObjectHeader + (4 * Reference) + ArrayOf(access.Grants.Length) + ArrayOf(access.Scopes.Length);
        foreach (var scope in access.Scopes)
        {
            // Shared with the grants' scope strings most of the time; counted once more as a margin.
            bytes += Of(scope);
        }

        foreach (var grant in access.Grants)
        {
            bytes += Of(grant);
        }

        return bytes + (access.KeySchedule?.EstimatedBytes ?? 0);
    }

    private static long Of(CompiledGrant grant)
    {
        // The compiled grant (its fields and the split scope) and the grant record it was made from.
        var bytes = ObjectHeader + (8 * Reference) + (2 * Of(grant.Scope)) + ObjectHeader + (3 * Reference) + Of(grant.Scope);
        if (grant.Resources is { } resources)
        {
            // The grant's list and the compiled copy both point at the same strings.
            bytes += (2 * ArrayOf(resources.Length)) + resources.Sum(r => Of(r));
        }

        if (grant.Grant.Schedule is { } schedule)
        {
            bytes += Of(schedule);
        }

        return bytes + (grant.Schedule?.EstimatedBytes ?? 0);
    }

    private static long Of(AccessSchedule schedule)
    {
        var bytes = ObjectHeader + (4 * Reference) + 32 + Of(schedule.TimeZone);
        if (schedule.Windows is { } windows)
        {
            bytes += ArrayOf(windows.Count);
            foreach (var window in windows)
            {
                bytes += ObjectHeader + (3 * Reference) + Of(window?.Start) + Of(window?.End)
                    + (window?.Days is { } days ? ArrayOf(days.Count) + days.Sum(d => Of(d)) : 0);
            }
        }

        return bytes;
    }

    private static long ArrayOf(int references) => 24 + (Reference * references);
}
