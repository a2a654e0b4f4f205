using Microsoft.AspNetCore.Identity;

namespace Portal.Core.Names;

/// <summary>
/// Identity's normalizer with the email rule: user names (which are email addresses here) and
/// emails are found by <see cref="EmailAddresses.LookupKey"/>, so <c>USER@xn--bcher-kva.example</c>
/// signs in the account registered as <c>user@bücher.example</c>. For plain ASCII addresses the key
/// is the upper-cased address, exactly Identity's default. Role names are upper-cased.
/// </summary>
public sealed class EmailLookupNormalizer : ILookupNormalizer
{
    /// <inheritdoc />
    public string? NormalizeEmail(string? email) => email is null ? null : EmailAddresses.LookupKey(email);

    /// <inheritdoc />
    public string? NormalizeName(string? name) => name is null ? null : name.Contains('@') ? EmailAddresses.LookupKey(name) : name.ToUpperInvariant();
}
