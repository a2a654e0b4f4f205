namespace Portal.Core.Keys;

/// <summary>
/// Tells this node's caches that a key changed (revoked, rotated, edited) so they drop it at once.
/// </summary>
public sealed class KeyChangeFeed
{
    public event Action<Guid>? Changed;

    public void Publish(Guid keyId) => Changed?.Invoke(keyId);
}
