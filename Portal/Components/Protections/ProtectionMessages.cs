namespace Portal.Components.Protections;

/// <summary>The service's messages about a list of entries, in one line for the list's field.</summary>
public static class ProtectionMessages
{
    /// <summary>
    /// The message about the list (<c>ipAllowlist</c>), then each entry's (<c>ipAllowlist[1]</c>) led by
    /// the entry as typed, so a person sees which chip it is about; null when there are none.
    /// </summary>
    /// <param name="message">A field's messages as one line, or null; null itself when the form has no messages.</param>
    public static string? ForList(Func<string, string?>? message, string field, IReadOnlyList<string> entries)
    {
        if (message is null)
        {
            return null;
        }

        var lines = new List<string>();
        if (message(field) is { } general)
        {
            lines.Add(general);
        }

        for (var i = 0; i < entries.Count; i++)
        {
            if (message($"{field}[{i}]") is { } problem)
            {
                lines.Add(problem.Contains(entries[i], StringComparison.Ordinal) ? problem : $"{entries[i]}: {problem}");
            }
        }

        return lines.Count == 0 ? null : string.Join(" ", lines);
    }
}
