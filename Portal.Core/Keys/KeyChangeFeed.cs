namespace Portal.Core.Keys;

/// <summary>A key that changed (revoked, rotated, edited, expired) and the hashes of all its tokens.</summary>
public sealed record KeyChange(Guid KeyId, IReadOnlyList<byte[]> Hashes)
{
    public static KeyChange Of(ApiKey key) => new(key.Id, [.. key.Secrets.Select(s => s.Hash)]);
}

/// <summary>Tells this node's caches that a key changed so they drop it at once.</summary>
public sealed class KeyChangeFeed
{
    public event Action<KeyChange>? Changed;

    public void Publish(KeyChange change) => Changed?.Invoke(change);
}
