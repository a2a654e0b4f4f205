namespace Portal.Account;

/// <summary>
/// The invitation link's path, and the token read back from a return URL that is one: a person
/// sent to sign in by an invitation link reaches the sign-up page with the invitation in hand.
/// </summary>
public static class InvitationLinks
{
    private const string Prefix = "/invitations/";

    /// <summary>The local path of an invitation link, e.g. <c>/invitations/abc</c>.</summary>
    public static string PathFor(string token) => Prefix + Uri.EscapeDataString(token);

    /// <summary>The invitation token when the return URL is an invitation link, else null.</summary>
    public static string? TokenFrom(string? returnUrl)
    {
        if (returnUrl is null || !returnUrl.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = returnUrl[Prefix.Length..];
        var end = rest.IndexOfAny(['/', '?', '#']);
        var token = Uri.UnescapeDataString(end < 0 ? rest : rest[..end]);
        return token.Length > 0 ? token : null;
    }
}
