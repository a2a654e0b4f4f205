using System.Diagnostics.CodeAnalysis;

namespace Portal.Core.Signatures;

/// <summary>One signing credential of a key, compiled for verification: its <c>keyid</c>, algorithm, verifier and optional expiry.</summary>
public sealed class SigningCredential
{
    /// <exception cref="ArgumentException"><paramref name="keyId"/> is empty, or <paramref name="verifier"/> is for another algorithm.</exception>
    public SigningCredential(string keyId, SignatureAlgorithm algorithm, SignatureVerifier verifier, DateTimeOffset? expiresAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentNullException.ThrowIfNull(verifier);
        if (verifier.Algorithm != algorithm)
        {
            throw new ArgumentException("The verifier is for another algorithm.", nameof(verifier));
        }

        KeyId = keyId;
        Algorithm = algorithm;
        Verifier = verifier;
        ExpiresAt = expiresAt;
    }

    /// <summary>The signature's <c>keyid</c> parameter that names this credential.</summary>
    public string KeyId { get; }

    public SignatureAlgorithm Algorithm { get; }

    public SignatureVerifier Verifier { get; }

    /// <summary>When the credential stops being accepted; null for never.</summary>
    public DateTimeOffset? ExpiresAt { get; }
}

/// <summary>
/// The signing credentials of one key, looked up by <c>keyid</c>. Holds only that key's
/// credentials, so another key's <c>keyid</c> is simply not found: it is answered exactly like an
/// unknown one.
/// </summary>
public interface ISigningCredentialSet
{
    /// <summary>The credential of this key whose <c>keyid</c> is <paramref name="keyId"/> (ordinal).</summary>
    bool TryFind(string keyId, [MaybeNullWhen(false)] out SigningCredential credential);
}

/// <summary>A key's active signing credentials (at most <see cref="MaxCredentials"/>), searched in order.</summary>
public sealed class SigningCredentialSet : ISigningCredentialSet
{
    /// <summary>The most credentials one key holds at once (rotation needs two or three).</summary>
    public const int MaxCredentials = 10;

    private readonly SigningCredential[] _credentials;

    /// <exception cref="ArgumentException">More than <see cref="MaxCredentials"/> credentials, or two with one <c>keyid</c>.</exception>
    public SigningCredentialSet(IEnumerable<SigningCredential> credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _credentials = credentials.ToArray();
        if (_credentials.Length > MaxCredentials)
        {
            throw new ArgumentException($"A key holds at most {MaxCredentials} signing credentials.", nameof(credentials));
        }

        for (var i = 0; i < _credentials.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(_credentials[i], nameof(credentials));
            for (var j = 0; j < i; j++)
            {
                if (string.Equals(_credentials[i].KeyId, _credentials[j].KeyId, StringComparison.Ordinal))
                {
                    throw new ArgumentException("Two signing credentials share one keyid.", nameof(credentials));
                }
            }
        }
    }

    /// <summary>A key without signing credentials.</summary>
    public static SigningCredentialSet Empty { get; } = new([]);

    public IReadOnlyList<SigningCredential> Credentials => _credentials;

    public bool TryFind(string keyId, [MaybeNullWhen(false)] out SigningCredential credential)
    {
        foreach (var candidate in _credentials)
        {
            if (string.Equals(candidate.KeyId, keyId, StringComparison.Ordinal))
            {
                credential = candidate;
                return true;
            }
        }

        credential = null;
        return false;
    }
}
