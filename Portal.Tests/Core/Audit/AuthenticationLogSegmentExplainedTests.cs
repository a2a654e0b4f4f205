using Portal.Core.Audit;

namespace Portal.Tests.Core.Audit;

/// <summary>What decided (the scope needed, the endpoint rule) in the segment layout, and segments stored before it.</summary>
public sealed class AuthenticationLogSegmentExplainedTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Key = Guid.NewGuid();
    private static readonly Guid Rule = Guid.NewGuid();
    private static readonly Guid Organization = Guid.NewGuid();
    private static readonly Guid Owner = Guid.NewGuid();

    [Fact]
    public void SegmentWithAScopeOrRule_IsVersion3_AndGivesThemBack()
    {
        AuthenticationLogEntry[] batch =
        [
            Entry("/orders/7", "INSUFFICIENT_SCOPE") with { Scope = "orders:admin", RuleId = Rule.ToString(), Rule = "DELETE /orders/{id}" },
            Entry("/invoices/7", "NO_MATCHING_RULE"),
            Entry("/reports", "VALID") with { Scope = "reports:read", Count = 3 },
        ];

        var segment = AuthenticationLogSegmentCodec.Encode(batch, [0, 1, 2], [Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7()]);
        var records = AuthenticationLogSegmentCodec.Decode(segment);

        Assert.Equal(3, segment.Records[0]);
        Assert.Equal(batch, records.Select(r => r.ToEntry()));
        Assert.Equal([Rule, null, null], records.Select(r => r.RuleId));
    }

    [Fact]
    public void SegmentWithoutScopesOrRules_KeepsTheEarlierLayouts()
    {
        AuthenticationLogEntry[] plain = [Entry("/a", "MISSING"), Entry("/b", "MISSING")];
        AuthenticationLogEntry[] counted = [Entry("/a", "MISSING") with { Count = 5 }];

        var version1 = AuthenticationLogSegmentCodec.Encode(plain, [0, 1], [Guid.CreateVersion7(), Guid.CreateVersion7()]);
        var version2 = AuthenticationLogSegmentCodec.Encode(counted, [0], [Guid.CreateVersion7()]);

        Assert.Equal((1, 2), (version1.Records[0], version2.Records[0]));
        Assert.All(AuthenticationLogSegmentCodec.Decode(version1).Concat(AuthenticationLogSegmentCodec.Decode(version2)),
            r => Assert.Equal((null, null, null), (r.Scope, r.RuleId, r.Rule)));
    }

    private static AuthenticationLogEntry Entry(string path, string code) =>
        new(At, Key, Organization, Owner, "pk_test_abcd…wxyz", code, Doors.ExtAuthz, "GET", path, "203.0.113.9", "curl/8", 3);
}
