using Portal.Core;

namespace Portal.Components.Shared;

/// <summary>
/// Portal.Core's validation messages by field name (<c>name</c>, <c>grants[2].resources[0]</c>),
/// so each form shows a message on the input it is about, and the rest in one place.
/// </summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Clear() => _errors.Clear();

    public void Remove(string field) => _errors.Remove(field);

    public void Add(string field, string message) => _errors[field] = [message];

    /// <summary>Takes the messages of an expected refusal; returns false for exceptions that are not one.</summary>
    public bool Take(Exception exception, string fallbackField = "")
    {
        Clear();
        switch (exception)
        {
            case InvalidRequestException invalid:
                foreach (var (field, messages) in invalid.Errors)
                {
                    _errors[field] = messages;
                }

                return true;
            case ConflictException conflict:
                Add(conflict.Field, conflict.Message);
                return true;
            case NotFoundException notFound:
                Add(notFound.Field, notFound.Message);
                return true;
            case AccessDeniedException denied:
                Add(fallbackField, denied.Message);
                return true;
            default:
                return false;
        }
    }

    public bool Has(string field) => _errors.ContainsKey(field);

    /// <summary>The field's messages as one line, or null.</summary>
    public string? this[string field] => _errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    /// <summary>Messages of the field and of everything under it (<c>grants[0]</c> gives <c>grants[0].schedule.timeZone</c> too).</summary>
    /// <param name="prefix">The field, e.g. <c>grants[0]</c>.</param>
    /// <param name="shown">Fields whose inputs show their own messages, left out here.</param>
    public IReadOnlyList<string> Under(string prefix, Func<string, bool>? shown = null) =>
        [.. _errors.Where(e => e.Key == prefix || e.Key.StartsWith(prefix + ".", StringComparison.Ordinal) || e.Key.StartsWith(prefix + "[", StringComparison.Ordinal))
            .Where(e => shown?.Invoke(e.Key) != true)
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .SelectMany(e => e.Value)];

    /// <summary>Messages of fields the form has no input for, so none is lost.</summary>
    public IReadOnlyList<string> Except(Func<string, bool> shown) =>
        [.. _errors.Where(e => !shown(e.Key)).SelectMany(e => e.Value)];
}
