using System.Security.Cryptography;
using System.Text.Json;
using Portal.Core.Data;

namespace Portal.Core.Keys;

/// <summary>
/// The versioned HMAC secrets tokens are hashed with. A new version can be added without
/// invalidating keys hashed with an older one. Never logs or exposes a pepper.
/// </summary>
public sealed class PepperRing
{
    private readonly Dictionary<int, byte[]> _peppers;

    public PepperRing(IReadOnlyDictionary<int, byte[]> peppers, int currentVersion)
    {
        if (!peppers.ContainsKey(currentVersion))
        {
            throw new ArgumentException($"No pepper with version {currentVersion}.", nameof(currentVersion));
        }

        _peppers = peppers.ToDictionary(p => p.Key, p => p.Value.ToArray());
        CurrentVersion = currentVersion;
        // Newest first: a token is most likely hashed with the newest pepper.
        Versions = [.. _peppers.Keys.OrderByDescending(v => v)];
    }

    public int CurrentVersion { get; }

    public IReadOnlyList<int> Versions { get; }

    public byte[] this[int version] => _peppers[version];

    /// <summary>
    /// Builds the ring from configuration or, when none is configured, from the key file in
    /// <paramref name="dataDirectory"/>, creating it (mode 0600) on first run.
    /// </summary>
    public static PepperRing Load(KeyOptions options, string dataDirectory)
    {
        if (options.Peppers.Count > 0)
        {
            var configured = options.Peppers.ToDictionary(p => p.Version, p => Convert.FromBase64String(p.Secret));
            return new PepperRing(configured, options.CurrentPepperVersion ?? configured.Keys.Max());
        }

        var file = Path.Combine(dataDirectory, "peppers.json");
        var stored = ReadOrCreateFile(file);
        return new PepperRing(stored, options.CurrentPepperVersion ?? stored.Keys.Max());
    }

    private static Dictionary<int, byte[]> ReadOrCreateFile(string file)
    {
        var text = SecretFile.ReadOrCreate(file, () => JsonSerializer.Serialize(
            new Dictionary<string, string> { ["1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }));
        var json = JsonSerializer.Deserialize<Dictionary<string, string>>(text)
            ?? throw new InvalidOperationException($"Pepper file '{file}' is empty.");
        return json.ToDictionary(p => int.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture), p => Convert.FromBase64String(p.Value));
    }
}
