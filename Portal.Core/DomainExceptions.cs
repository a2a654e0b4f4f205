namespace Portal.Core;

/// <summary>A request that breaks a rule of the domain; <see cref="Errors"/> names each field at fault.</summary>
public sealed class InvalidRequestException(IReadOnlyDictionary<string, string[]> errors)
    : Exception(string.Join(" ", errors.SelectMany(e => e.Value)))
{
    public InvalidRequestException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] })
    {
    }

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    /// <summary>Throws when any field has a message, so that nothing is saved from a request with one bad field.</summary>
    public static void ThrowIfAny(Dictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
        {
            throw new InvalidRequestException(errors);
        }
    }
}

/// <summary>The request clashes with the current state (a duplicate name, a revoked key).</summary>
public sealed class ConflictException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>The caller may see the object but not do this to it (e.g. a viewer creating a key).</summary>
/// <param name="message">What the caller may not do and why, in words they can act on.</param>
/// <param name="code">A reason code when a key's grants decided (<c>OUTSIDE_TIME_WINDOW</c>, <c>INSUFFICIENT_SCOPE</c>).</param>
public sealed class AccessDeniedException(string message, string? code = null) : Exception(message)
{
    public string? Code { get; } = code;
}

/// <summary>The object does not exist or the caller may not see it (the two are never told apart).</summary>
public sealed class NotFoundException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
