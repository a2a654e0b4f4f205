namespace Portal.Core;

/// <summary>How optional text from a form or a request body is stored.</summary>
internal static class Input
{
    /// <summary>Trimmed, or null when blank.</summary>
    public static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
