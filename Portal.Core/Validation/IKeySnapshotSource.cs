namespace Portal.Core.Validation;

/// <summary>Finds the snapshot of the token with a given HMAC, or null when no key has it.</summary>
public interface IKeySnapshotSource
{
    ValueTask<KeySnapshot?> FindAsync(HashKey hash, CancellationToken cancellationToken);
}
