using Portal.Core.Validation;

namespace Portal.Auth;

/// <summary>
/// The ApiKey scheme's decision about one request, from authentication (the key is known and
/// usable) to its scope requirements (what it may do here, decided by <see cref="KeyValidator.Decide"/>).
/// Kept in <c>HttpContext.Items</c> for the request only, so the authentication log records the
/// decision once, with the code that ended it, and a refusal is answered with that code.
/// </summary>
internal sealed class ApiKeyDecision(KeySnapshot key, string token, DecisionSource source)
{
    private int _recorded;

    public KeySnapshot Key => key;

    /// <summary>The reason the scope requirements refused the request; null while none did.</summary>
    public string? RefusalCode { get; private set; }

    /// <summary>The requirement that refused, in words (<c>'keys:manage'</c>); null while none did.</summary>
    public string? RefusedScope { get; private set; }

    /// <summary>The scope the log names for this request: the refused requirement's, else the first one met; null while none was decided.</summary>
    public string? Scope { get; private set; }

    /// <summary>Notes a refusal; the first one stands, as it is the one recorded.</summary>
    /// <param name="code">The reason code.</param>
    /// <param name="described">The requirement in words, for the refusal's detail.</param>
    /// <param name="scope">The requirement's scope, for the authentication log.</param>
    public void Refuse(string code, string described, string scope)
    {
        if (RefusalCode is null)
        {
            (RefusalCode, RefusedScope, Scope) = (code, described, scope);
        }
    }

    /// <summary>Notes a requirement that was met; the log names the first one unless one is refused.</summary>
    public void Meet(string scope)
    {
        Scope ??= scope;
    }

    /// <summary>Records the decision in the authentication log and usage, unless it already was.</summary>
    public void Record(DecisionRecorder recorder, string code, DateTimeOffset at)
    {
        if (Interlocked.Exchange(ref _recorded, 1) == 0)
        {
            recorder.Record(new ValidationResult(code, key, at, Scope: Scope), token, source);
        }
    }
}
