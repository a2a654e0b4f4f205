using System.Text;
using Portal.Core.Access;

namespace Portal.Api.Gateway;

/// <summary>
/// <c>X-Auth-Resource-Filters</c>: the scopes a key holds now only for some resources, with their
/// patterns, as an RFC 8941 Structured Field: a List whose members are Inner Lists of sf-strings
/// (the resource patterns, <c>*</c> standing for any run of characters) with one parameter,
/// <c>scope</c>, an sf-string naming the scope:
/// <code>("asset/eu-*" "asset/ch-*");scope="assets:read", ("invoice/2026-*");scope="invoices:read"</code>
/// Members are sorted by scope; patterns keep their grants' order. The scopes listed here are not in
/// <c>X-Auth-Scopes</c>: an app reading only that header never learns of them, so it can never give
/// the key more than it has. When the key holds no such scope the field is sent with an empty value,
/// which RFC 8941 parsers read as an empty List (section 4.2): sent rather than left out, as
/// <c>X-Auth-Scopes</c> is, so that a gateway that sets on the upstream request only the headers the
/// answer carries (Envoy, Istio) still replaces a value the client sent.
/// </summary>
/// <remarks>
/// Bounded to <see cref="MaxLength"/> bytes, well inside what gateways accept in an auth answer
/// (nginx reads it within <c>proxy_buffer_size</c>, 4 or 8 KiB by default): members are written in
/// scope order until the next would pass the bound, and it and the rest are left out whole, so an
/// app sees those scopes as not held (it denies rather than widens); verify's <c>filters</c> always
/// lists them all. Scopes and patterns are
/// printable ASCII by validation; a member holding anything else is left out the same way.
/// </remarks>
public static class ResourceFiltersHeader
{
    public const string Name = "X-Auth-Resource-Filters";

    /// <summary>The longest value written, in bytes (one byte per character: the value is ASCII).</summary>
    public const int MaxLength = 4096;

    /// <summary>The field value for the filters, or null when there are none to write (the door then sends an empty value).</summary>
    public static string? Format(IReadOnlyList<ResourceFilter> filters)
    {
        if (filters.Count == 0)
        {
            return null;
        }

        var value = new StringBuilder();
        var member = new StringBuilder();
        foreach (var filter in filters)
        {
            member.Clear();
            if (!TryMember(filter, member))
            {
                continue;
            }

            var separator = value.Length == 0 ? 0 : 2;
            if (value.Length + separator + member.Length > MaxLength)
            {
                break;
            }

            if (separator > 0)
            {
                value.Append(", ");
            }

            value.Append(member);
        }

        return value.Length == 0 ? null : value.ToString();
    }

    // inner-list = "(" sf-string *( SP sf-string ) ")" ";scope=" sf-string
    private static bool TryMember(ResourceFilter filter, StringBuilder member)
    {
        member.Append('(');
        for (var i = 0; i < filter.Resources.Count; i++)
        {
            if (i > 0)
            {
                member.Append(' ');
            }

            if (!TryString(filter.Resources[i], member))
            {
                return false;
            }
        }

        member.Append(");scope=");
        return TryString(filter.Scope, member);
    }

    // sf-string (RFC 8941 section 3.3.3): printable ASCII in double quotes, '"' and '\' escaped.
    private static bool TryString(string text, StringBuilder output)
    {
        output.Append('"');
        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }

            if (c is '"' or '\\')
            {
                output.Append('\\');
            }

            output.Append(c);
        }

        output.Append('"');
        return true;
    }
}
