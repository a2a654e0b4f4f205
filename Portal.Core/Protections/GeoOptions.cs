using Microsoft.Extensions.Options;

namespace Portal.Core.Protections;

/// <summary>The country database behind country rules, bound from <c>Geo</c>.</summary>
public sealed class GeoOptions
{
    public const string Section = "Geo";

    /// <summary>The setting's full name, as messages name it.</summary>
    public const string DatabasePathSetting = $"{Section}:{nameof(DatabasePath)}";

    /// <summary>
    /// A MaxMind-format (.mmdb) country database: absolute, or relative to the content root. Empty:
    /// no database, and country rules refuse requests with <c>GEO_UNAVAILABLE</c>. Reloaded when the
    /// file changes (see <see cref="CountryDatabase"/>).
    /// </summary>
    public string? DatabasePath { get; set; }

    /// <summary>The absolute path of <see cref="DatabasePath"/>, or null when none is set.</summary>
    public string? ResolvePath(string contentRoot) =>
        string.IsNullOrWhiteSpace(DatabasePath) ? null : Path.GetFullPath(DatabasePath.Trim(), contentRoot);
}

/// <summary>
/// Refuses a <c>Geo:DatabasePath</c> that names no file or a file that is no MaxMind-format
/// country database, by reading it whole (a damaged tail would otherwise pass a look at its start).
/// </summary>
internal sealed class GeoOptionsValidator(string contentRoot) : IValidateOptions<GeoOptions>
{
    // The table read to validate, handed to the database so that a start reads the file once.
    private readonly Lock _lock = new();
    private (string Path, CountryTable Table)? _validated;

    /// <summary>The table this validator read from <paramref name="path"/>, once; null when it read none.</summary>
    public CountryTable? TakeValidated(string? path)
    {
        lock (_lock)
        {
            var validated = _validated;
            _validated = null;
            return validated is { } v && v.Path == path ? v.Table : null;
        }
    }

    public ValidateOptionsResult Validate(string? name, GeoOptions options)
    {
        string? path;
        try
        {
            path = options.ResolvePath(contentRoot);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return ValidateOptionsResult.Fail($"{GeoOptions.DatabasePathSetting} is not a valid path: {e.Message}");
        }

        if (path is null)
        {
            return ValidateOptionsResult.Success;
        }

        if (!File.Exists(path))
        {
            return ValidateOptionsResult.Fail($"{GeoOptions.DatabasePathSetting}: no file at '{path}'. Set it to a MaxMind-format country database (.mmdb), or leave it empty to run without one.");
        }

        try
        {
            var table = CountryTable.Load(path);
            lock (_lock)
            {
                _validated = (path, table);
            }

            return ValidateOptionsResult.Success;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return ValidateOptionsResult.Fail($"{GeoOptions.DatabasePathSetting}: {e.Message}");
        }
    }
}
