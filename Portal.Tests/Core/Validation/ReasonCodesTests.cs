using System.Reflection;
using Portal.Core.Validation;

namespace Portal.Tests.Core.Validation;

/// <summary>The one status mapping: every reason code has its class, and the table names every code.</summary>
public sealed class ReasonCodesTests
{
    // Who are you (401), what may you (403), how much (429): the classes the README's table states.
    private static readonly Dictionary<string, int> Expected = new()
    {
        ["VALID"] = 200,
        ["MISSING"] = 401,
        ["MALFORMED"] = 401,
        ["NOT_FOUND"] = 401,
        ["EXPIRED"] = 401,
        ["REVOKED"] = 401,
        ["DISABLED"] = 401,
        ["SIGNATURE_REQUIRED"] = 401,
        ["SIGNATURE_INVALID"] = 401,
        ["INSUFFICIENT_SCOPE"] = 403,
        ["NO_MATCHING_RULE"] = 403,
        ["RESOURCE_NOT_ALLOWED"] = 403,
        ["OUTSIDE_TIME_WINDOW"] = 403,
        ["API_NOT_ALLOWED"] = 403,
        ["ENVIRONMENT_NOT_ALLOWED"] = 403,
        ["PATH_NOT_CANONICAL"] = 403,
        ["IP_NOT_ALLOWED"] = 403,
        ["GEO_BLOCKED"] = 403,
        ["GEO_UNAVAILABLE"] = 403,
        ["BLOCKED"] = 403,
        ["SUSPENDED"] = 403,
        ["RATE_LIMITED"] = 429,
        ["QUOTA_EXCEEDED"] = 429,
    };

    public static TheoryData<string> EveryCode() => [.. Codes()];

    [Fact]
    public void Table_NamesEveryReasonCode()
    {
        // A code added to ReasonCodes without a row here (and a class in StatusOf) fails this test.
        Assert.Equal(Expected.Keys.Order(StringComparer.Ordinal), Codes().Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(EveryCode))]
    public void StatusOf_EveryCode_IsItsClass(string code)
    {
        Assert.Equal(Expected[code], ReasonCodes.StatusOf(code));
    }

    [Fact]
    public void StatusOf_UnknownCode_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ReasonCodes.StatusOf("SOMETHING_NEW"));
    }

    private static IEnumerable<string> Codes() =>
        typeof(ReasonCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f is { IsLiteral: true, FieldType: var t } && t == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!);
}
