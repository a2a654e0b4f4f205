using System.Globalization;
using System.Net.Mail;
using System.Text;

namespace Portal.Core.Names;

/// <summary>
/// The one rule for an email address a person enters (sign-up, setup, invitations, the command
/// line): a bare addr-spec of RFC 5322 as <see cref="MailAddress"/> parses it, no display name or
/// comment, at most <see cref="MaxLength"/> characters (RFC 5321's path limit) and a local part of
/// at most 64; apostrophes, plus signs, quoted local parts, Unicode local parts (RFC 6531) and
/// international domain names are accepted. Characters of <see cref="DeceptiveCharacters"/> are refused.
/// </summary>
/// <remarks>
/// The stored (canonical) form is NFC, with the domain checked by IDNA (UTS #46) and written in
/// lower-case Unicode: <c>user@XN--BCHER-KVA.example</c> and <c>user@Bücher.example</c> are both
/// <c>user@bücher.example</c>. The local part keeps its case (RFC 5321 lets a server tell cases
/// apart), while lookups fold case like Identity does (<see cref="LookupKey"/>). An address whose
/// local part holds an <c>@</c> (<c>"a@b"@example.com</c>) is refused: account stores and most
/// mail providers split at the first <c>@</c>.
/// </remarks>
public static class EmailAddresses
{
    /// <summary>The longest address, in characters (RFC 5321 §4.5.3.1.3: a 256-octet path less its angle brackets).</summary>
    public const int MaxLength = 254;

    /// <summary>The longest local part, in characters (RFC 5321 §4.5.3.1.1).</summary>
    public const int LocalPartMaxLength = 64;

    /// <summary>The canonical address; throws <see cref="InvalidRequestException"/> naming <paramref name="field"/> when it is not one.</summary>
    public static string Require(string? value, string field = "email")
    {
        if (!TryCanonicalize(value, out var address, out var problem))
        {
            throw new InvalidRequestException(field, problem);
        }

        return address;
    }

    /// <summary>The canonical address in <paramref name="address"/>, or false with the reason in <paramref name="problem"/>.</summary>
    public static bool TryCanonicalize(string? value, out string address, out string problem)
    {
        address = "";
        var text = value?.Trim() ?? "";
        if (text.Length == 0)
        {
            problem = "Enter an email address.";
            return false;
        }

        if (DeceptiveCharacters.Find(text) is { } refused)
        {
            problem = refused.Message("The email address");
            return false;
        }

        text = text.Normalize(NormalizationForm.FormC);
        if (text.Length > MaxLength)
        {
            problem = $"An email address has at most {MaxLength} characters.";
            return false;
        }

        // MailAddress also reads "Name <a@b>" and "a@b (comment)"; only a bare address is one.
        if (!MailAddress.TryCreate(text, out var parsed) || parsed.DisplayName.Length > 0 || parsed.Address != text
            || text.IndexOf('@') != text.LastIndexOf('@'))
        {
            problem = $"'{text}' is not an email address.";
            return false;
        }

        if (parsed.User.Length > LocalPartMaxLength)
        {
            problem = $"The part before the @ has at most {LocalPartMaxLength} characters.";
            return false;
        }

        if (Domain(parsed.Host) is not { } domain)
        {
            problem = $"'{parsed.Host}' is not a domain name.";
            return false;
        }

        address = parsed.User + "@" + domain;
        problem = "";
        return true;
    }

    /// <summary>
    /// The key addresses are found and compared by: the canonical form upper-cased (invariant), as
    /// Identity's normalized email is; for text that is not an address, the text upper-cased.
    /// </summary>
    public static string LookupKey(string value) =>
        (TryCanonicalize(value, out var address, out _) ? address : value.Trim()).ToUpperInvariant();

    private static string? Domain(string host)
    {
        if (host.StartsWith('['))
        {
            // A domain literal ([192.0.2.1]) is written as given.
            return host;
        }

        try
        {
            var idn = new IdnMapping { UseStd3AsciiRules = true };
            return idn.GetUnicode(idn.GetAscii(host)).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
